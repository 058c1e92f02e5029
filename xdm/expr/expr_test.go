package expr

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2021, 10, 26, 10, 10, 24, 0, time.UTC)

func eval(t *testing.T, src string, root map[string]any) (any, error) {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	return p.Eval(&Env{Root: root, Now: func() time.Time { return fixedNow }, Rand: bytes.NewReader(make([]byte, 16)), Cache: &Cache{}})
}

func js(v any) string {
	b, _ := json.Marshal(Normalize(v))
	return string(b)
}

// TestDocumentedExamples checks the examples of Adobe's Data Prep function reference
// (help/data-prep/functions.md), except those the reference flags as doc bugs.
func TestDocumentedExamples(t *testing.T) {
	root := map[string]any{
		"marketing_type": "phyMail", "total_consents": int64(6000), "email": "JOHN@Example.com",
		"book_details": map[string]any{"author": "Ann", "title": "T", "isbn": "1"},
		"emails":       []any{map[string]any{"email": "a@x"}, map[string]any{"email": "b@x"}},
		"First Name":   "Ann", "timestamp": int64(1613063089),
	}
	for _, tc := range []struct{ src, want string }{
		// String
		{`concat("Hi", ",", "there", "!")`, `"Hi,there!"`},
		{`explode("Hi, there!", " ")`, `["Hi,","there!"]`},
		{`explode("a,b,,c")`, `["a","b","","c"]`},
		{`instr("adobe.com", "com")`, `6`},
		{`instr("adobe.com", "x")`, `-1`},
		{`instr("a.b.c", ".", 0, 2)`, `3`},
		{`replacestr("This is a string re test", "re", "replace")`, `"This is a string replace test"`},
		{`substr("This is a substring test", 7, 8)`, `" a subst"`},
		{`lower("HeLLo")`, `"hello"`}, {`lcase("HeLLo")`, `"hello"`},
		{`upper("HeLLo")`, `"HELLO"`}, {`ucase("HeLLo")`, `"HELLO"`},
		{`split("Hello world", " ")`, `["Hello","world"]`},
		{`split("a,,b", ",")`, `["a","b"]`},
		{`join(" ", ["Hello", "world"])`, `"Hello world"`},
		{`lpad("bat", 8, "yz")`, `"yzyzybat"`},
		{`rpad("bat", 8, "yz")`, `"batyzyzy"`},
		{`left("abcde", 2)`, `"ab"`}, {`right("abcde", 2)`, `"de"`},
		{`ltrim("  hello")`, `"hello"`}, {`rtrim("hello  ")`, `"hello"`}, {`trim("  hello  ")`, `"hello"`},
		{`"abc".equals("abc")`, `true`}, {`"abc".equalsIgnoreCase("ABC")`, `true`},
		{`iif(marketing_type.equals("phyMail"), nullify(), marketing_type)`, `null`},
		// Regex
		{`extract_regex("E259,E259B_009,1_1", "([^,]+),[^,]*,([^,]+)")`, `["E259,E259B_009,1_1","E259","1_1"]`},
		{`matches_regex("E259,E259B_009,1_1", "([^,]+),[^,]*,([^,]+)")`, `true`},
		{`matches_regex("abc", "b")`, `false`},
		// Hashing (lowercase hex; standard digests)
		{`sha1("my text", "UTF-8")`, `"c3599c11e47719df18a2448690840c5dfcce3c80"`},
		{`sha256("my text", "UTF-8")`, `"7330d2b39ca35eaf4cb95fc846c21ee6a39af698154a83a586ee270a0d372104"`},
		{`sha512("my text", "UTF-8")`, `"a3d7e45a0d9be5fd4e4b9a3b8c9c2163c21ef708bf11b4232bb21d2a8704ada2cdcd7b367dd0788a89a5c908cfe377aceb1072a7b386b7d4fd2ff68a8fd24d16"`},
		{`md5("my text", "UTF-8")`, `"d3b96ce8c9fb4e9bd0198d03ba6852c7"`},
		{`crc32("my text", "UTF-8")`, `"802ef98d"`},
		// URL
		{`get_url_protocol("https://platform.adobe.com/home")`, `"https"`},
		{`get_url_host("https://platform.adobe.com/home")`, `"platform.adobe.com"`},
		{`get_url_port("sftp://example.com//home/joe/employee.csv")`, `22`},
		{`get_url_port("https://example.com:8443/x")`, `8443`},
		{`get_url_path("https://platform.adobe.com/home/index.html")`, `"/home/index.html"`},
		{`get_url_path("https://a.com/p?x=1#f", true)`, `"/p?x=1#f"`},
		{`get_url_query_str("foo://example.com:8042/over/there?name=ferret#nose", "retain")`, `{"name":"ferret#nose"}`},
		{`get_url_query_str("foo://example.com:8042/over/there?name=ferret#nose", "remove")`, `{"name":"ferret"}`},
		{`get_url_query_str("foo://example.com:8042/over/there?name=ferret#nose", "append")`, `{"_anchor_":"nose","name":"ferret"}`},
		{`get_url_encoded("https://example.com/partneralliance_asia-pacific_2022")`, `"https%3A%2F%2Fexample.com%2Fpartneralliance_asia-pacific_2022"`},
		{`get_url_decoded("https%3A%2F%2Fexample.com%2Fpartneralliance_asia-pacific_2022")`, `"https://example.com/partneralliance_asia-pacific_2022"`},
		// Date and time
		{`now()`, `"2021-10-26T10:10:24Z"`},
		{`timestamp()`, `1635243024000`},
		{`format(date("2019-10-23 11:24:00+0000"), "yyyy-MM-dd'T'HH:mm:ssXXX")`, `"2019-10-23T11:24:00Z"`},
		{`dformat(1571829875000, "yyyy-MM-dd'T'HH:mm:ss.SSSX")`, `"2019-10-23T11:24:35.000Z"`},
		{`dformat(timestamp * 1000, "yyyy-MM-dd'T'HH:mm:ssXXX")`, `"2021-02-11T17:04:49Z"`},
		{`date("2019-10-23 11:24", "yyyy-MM-dd HH:mm")`, `"2019-10-23T11:24:00Z"`},
		{`date("2019-10-23 11:24", "yyyy/MM/dd", now())`, `"2021-10-26T10:10:24Z"`},
		{`date("12112020")`, `"2020-12-11T00:00:00Z"`},
		{`date("2020-12-11")`, `"2020-12-11T00:00:00Z"`},
		{`date("11-Dec-2020")`, `"2020-12-11T00:00:00Z"`},
		{`date_part("MM", date("2020-10-01"))`, `10`},
		{`date_part("year", date("2020-10-01"))`, `2020`},
		{`date_part("quarter", date("2020-10-01"))`, `4`},
		{`set_date_part("m", 4, date("2016-11-09T11:44:44.797"))`, `"2016-04-09T11:44:44.797Z"`},
		{`make_date_time(2019, 10, 17, 11, 55, 12, 999, "America/Los_Angeles")`, `"2019-10-17T11:55:12.000000999-07:00"`},
		{`zone_date_to_utc(make_date_time(2019, 10, 17, 11, 55, 12, 0, "America/Los_Angeles"))`, `"2019-10-17T18:55:12Z"`},
		{`zone_date_to_zone(make_date_time(2019, 10, 17, 11, 55, 12, 0, "UTC"), "Europe/Paris")`, `"2019-10-17T13:55:12+02:00"`},
		// Objects
		{`is_empty("")`, `true`}, {`is_empty(book_details)`, `false`},
		{`arrays_to_object("sku", ["a", "b"], "price", [1, 2])`, `[{"price":1,"sku":"a"},{"price":2,"sku":"b"}]`},
		{`to_object("firstName", "John", "lastName", "Doe")`, `{"firstName":"John","lastName":"Doe"}`},
		{`str_to_object("firstName - John | lastName - | phone - 123 456 7890", "-", "|")`, `{"firstName":"John","lastName":"","phone":"123 456 7890"}`},
		{`str_to_object("k1:v1,k2:v2").get("k2")`, `"v2"`},
		{`contains_key(book_details.author)`, `true`}, {`contains_key(book_details.nope)`, `false`},
		{`nullify()`, `null`},
		{`get_keys(book_details)`, `["author","isbn","title"]`},
		{`get_values("firstName - John , lastName - Cena , phone - 555 420 8692", "firstName", "-", ",")`, `"John"`},
		// Maps
		{`map_get_values(book_details, "author")`, `"Ann"`},
		{`map_get_values(book_details, ["author", "title"])`, `{"author":"Ann","title":"T"}`},
		{`map_has_keys(book_details, "author")`, `true`}, {`map_has_keys(book_details, ["author", "x"])`, `false`},
		{`add_to_map(to_map("a", 1), to_map("a", 2, "b", 3))`, `{"a":1,"b":3}`},
		{`object_to_map("a", 1, "b", 2)`, `{"a":1,"b":2}`},
		{`object_to_map(emails, "email")`, `{"a@x":{"email":"a@x"},"b@x":{"email":"b@x"}}`},
		{`array_to_map(emails, "email")`, `{"a@x":{"email":"a@x"},"b@x":{"email":"b@x"}}`},
		// Arrays
		{`coalesce(null, book_details.nope, "x", "y")`, `"x"`},
		{`first("1", "2", "3")`, `"1"`}, {`last("1", "2", "3")`, `"3"`},
		{`first(emails[*].email)`, `"a@x"`},
		{`add_to_array(["a", "b"], "c", "d")`, `["a","b","c","d"]`},
		{`join_arrays(["a", "b"], ["c"], ["d", "e"])`, `["a","b","c","d","e"]`},
		{`to_array(false, "a", null, "b")`, `["a","b"]`},
		{`to_array(true, "a", null)`, `["a",null]`},
		{`size_of([1, 2, 3, 4])`, `4`},
		{`upsert_array_append([123, 456])`, `[123,456]`},
		// Logic
		{`decode("ca", "ca", "California", "pa", "Pennsylvania", "N/A")`, `"California"`},
		{`decode("xx", "ca", "California", "N/A")`, `"N/A"`},
		{`decode("xx", "ca", "California")`, `null`},
		{`iif("s".equals("s"), "True", "False")`, `"True"`},
		{`iif(total_consents > 5000, "high", "low")`, `"high"`},
		// Aggregation
		{`min(3, 1, 4)`, `1`}, {`max(3, 1, 4)`, `4`},
		// Type conversion
		{`to_bigint("1000000")`, `1000000`},
		{`to_decimal("20.5")`, `20.5`},
		{`to_float("12.3456")`, `12.3456`},
		{`to_integer("12")`, `12`},
		// JSON
		{`json_to_object("{\"info\":{\"firstName\":\"John\",\"age\":5}}")`, `{"info":{"age":5,"firstName":"John"}}`},
		// Special
		{`uuid()`, `"00000000-0000-4000-8000-000000000000"`},
		// Operators and paths
		{`1 + 2 * 3 - 4 / 2`, `5`}, {`7 % 3`, `1`}, {`7 mod 3`, `1`}, {`1.5 * 2`, `3`},
		{`-total_consents`, `-6000`}, {`~0`, `-1`},
		{`"a" + 1`, `"a1"`},
		{`1 < 2 && 2 <= 2 and 3 > 2 || false`, `true`},
		{`!(1 == 1)`, `false`}, {`not true`, `false`}, {`1 eq 1 && 1 ne 2`, `true`},
		{`total_consents > 5000 ? "big" : "small"`, `"big"`},
		{`emails[1].email`, `"b@x"`}, {`emails[*].email`, `["a@x","b@x"]`},
		{`${First Name}`, `"Ann"`},
		{`lower(email)`, `"john@example.com"`},
		{`"abc" =~ "^a"`, `false`},      // JEXL: =~ is Pattern.matches, the whole string
		{`"abcdef" =~ "abc.*"`, `true`}, // JEXL reference, operators
		{`size("héllo")`, `5`}, {`empty("")`, `true`},
		{`'single' + "double"`, `"singledouble"`},
	} {
		got, err := eval(t, tc.src, root)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if js(got) != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, js(got), tc.want)
		}
	}
}

func TestRuntimeErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`to_integer("abc")`, `to_integer: "abc" is not a 32-bit integer`},
		{`substr("abc", 5, 1)`, "substr: start 5 out of range"},
		{`1 / 0`, "/: division by zero"},
		{`missing + 1`, "+: operand is null"},
		{`date("nonsense")`, `date: "nonsense" matches none of the supported date formats`},
		{`date("2019-10-23 11")`, `matches none of the supported date formats`},
		{`sha1("x", "EBCDIC")`, `unsupported charset "EBCDIC"`},
		{`json_to_object("{")`, "invalid JSON"},
		{`extract_regex("a", "(")`, "bad regex"},
		{`missing.trim()`, "trim: called on null"},
	} {
		_, err := eval(t, tc.src, map[string]any{})
		var ee *EvalError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want EvalError containing %q", tc.src, err, tc.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`lowr(x)`, "syntax error at column 1: unknown function lowr()"},
		{`concat("a",`, "column 12: unexpected end of expression"},
		{`"abc`, "column 1: unterminated string"},
		{`1 +* 2`, "column 4: unexpected \"*\""},
		{`a.b()`, "column 3: unknown method b()"},
		{`x # y`, "column 3: unexpected character '#'"},
		{`(1`, "expected ')'"},
		{`1 2`, "column 3: unexpected \"2\" after complete expression"},
		{`lower()`, "lower() takes 1 argument(s), got 0"},
		{`${x`, "unterminated ${...}"},
		{strings.Repeat("a", MaxLength+1), "longer than 4096"},
	} {
		_, err := Compile(tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.src, err, tc.want)
		}
		if errors.Is(err, ErrUnsupported) != strings.Contains(tc.want, "not supported") {
			t.Errorf("%q: errors.Is(ErrUnsupported) wrong", tc.src)
		}
	}
}

func TestRegistry_Lists(t *testing.T) {
	r := DefaultRegistry()
	fs := strings.Join(r.Functions(), " ")
	for _, f := range []string{"concat", "sha256", "get_url_host", "dformat", "map_get_values", "to_array", "decode", "max", "to_bigint", "json_to_object", "uuid", "guid"} {
		if !strings.Contains(" "+fs+" ", " "+f+" ") {
			t.Errorf("missing %s", f)
		}
	}
	if len(r.Unsupported()) < 13 {
		t.Errorf("unsupported list too short: %v", r.Unsupported())
	}
}

func TestProgram_Paths(t *testing.T) {
	p, err := Compile(`iif(data.identifiers.email != null, lower(data.identifiers.email), data.recipients[0].device_id)`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Paths(), ",")
	if got != "data.identifiers.email,data.identifiers.email,data.recipients[].device_id" {
		t.Errorf("paths = %s", got)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`concat("Hi", ",", "there")`, `iif(a.equals("x"), nullify(), a)`, `a[0].b + 1 * -2`,
		`${First Name}`, `x \. y`, `"\u00e9"`, `a ? b : c`, `[1, 2][0]`, `emails[*].email`, `1e5 + 2.5d`,
		`get_keys({"a": 1, "b": {:}})`, `${a.b\.c}.d`, `contains_key("a.b")`, `extract_regex(x, "(a)\\1")`,
		`format(date(x, "yyyy-MM-dd[ HH:mm]"), "YYYY-'W'ww-e VV")`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			var se *SyntaxError
			var ue *UnknownFunctionError
			if !errors.As(err, &se) && !errors.As(err, &ue) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		// Must not panic on any input record.
		_, _ = p.Eval(&Env{Root: map[string]any{"a": []any{map[string]any{"b": int64(1)}}, "x": "s"}, Now: func() time.Time { return fixedNow }, Rand: bytes.NewReader(make([]byte, 64))})
	})
}

// TestIntegerOverflow: issue 11 row 8 — 64-bit arithmetic that overflows fails the
// expression instead of wrapping (9223372036854775807 * 1000 became 1969-12-31).
func TestIntegerOverflow(t *testing.T) {
	root := map[string]any{"timestamp": int64(math.MaxInt64), "min": int64(math.MinInt64), "big": 1e300}
	for _, src := range []string{
		`timestamp * 1000`, `timestamp + 1`, `min - 1`, `-min`, `min / -1`, `min * -1`, `-1 * min`, `timestamp * -2`,
		`dformat(timestamp * 1000, "yyyy-MM-dd'T'HH:mm:ssXXX")`, `dformat(big, "yyyy")`, `to_integer(big)`,
	} {
		p, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Eval(&Env{Root: root})
		if err == nil {
			t.Errorf("%s = %v, want an error", src, v)
		}
	}
	for src, want := range map[string]int64{
		`timestamp * 1`: math.MaxInt64, `min * 1`: math.MinInt64, `min % -1`: 0, `timestamp - 1 + 1`: math.MaxInt64,
		`-9223372036854775807 - 1`: math.MinInt64, `3037000499 * 3037000499`: 9223372030926249001, `min + timestamp`: -1,
	} {
		p, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Eval(&Env{Root: root})
		if err != nil || v != want {
			t.Errorf("%s = %v, %v; want %d", src, v, err, want)
		}
	}
}

// TestUnsupportedAtRunTime: a function ciosim does not implement compiles, and fails the
// expression when it runs (the field is nulled with a warning), as AEP does for a failing
// expression, instead of refusing the whole mapping set.
func TestUnsupportedAtRunTime(t *testing.T) {
	for src, want := range map[string]string{
		`aa_get_event_id(x)`: "aa_get_event_id: function aa_get_event_id() is not supported by ciosim (Adobe Analytics source only)",
		`fpid_to_ecid("4ed70bee-b654-420a-a3fd-b58b6b65e991")`: "fpid_to_ecid: function fpid_to_ecid() is not supported by ciosim (Adobe does not publish how an ECID is derived from an FPID)",
		`filterArray(x, y)`: "filterArray() is not supported by ciosim (destination dataflows only)",
	} {
		_, err := eval(t, src, map[string]any{"x": "a"})
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want %q", src, err, want)
		}
	}
}
