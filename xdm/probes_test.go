package xdm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/internal/sharedtest"
)

// probe is one documented Data Prep example of ../shared/reference/aep-streaming.md (§3), run
// through the mapping engine as a one-mapping set.
type probe struct {
	// quote is text of the reference that states the example; it must appear there
	// verbatim, so every probe is tied to what the reference says.
	quote string
	// kind is the mapping's sourceType ("" = EXPRESSION); src its source; dest its
	// destination ("" = "_acme.v"); rec the input record ("" = probeRecord).
	kind, src, dest, rec string
	// documented is the output the reference gives or states (JSON); "" when it gives none
	// (the probe then pins ciosim's answer to a documented behaviour).
	documented string
	// want is ciosim's output (JSON) when it differs from documented, and why says why;
	// "re:" starts a pattern; "warn:" means the field is nulled with a warning containing
	// the rest; "absent" means the field is not written.
	want, why string
}

// probeRecord is the input of every probe that names none.
const probeRecord = `{"marketing_type":"phyMail","total_consents":6000,"timestamp":1613063089,
 "emails":[{"email":"a@x","name":"A"},{"email":"b@x","name":"B"}],
 "address":{"street.name":"Elm","street":{"name":"nested"}},"First Name":"Ann","size":"XL",
 "book_details":{"author":"Ann","title":"T","isbn":"1"},"n":1234,
 "ua":"Mozilla/5.0 (iPhone; CPU iPhone OS 5_1_1 like Mac OS X) AppleWebKit/534.46 (KHTML, like Gecko) Version/5.1 Mobile/9B206 Safari/7534.48.3"}`

// probeSchema types the destinations the coercion probes write.
const probeSchema = `{"$id":"https://ns.adobe.com/acme/schemas/probe","type":"object","properties":{
 "_id":{"type":"string"},"userType":{"type":"string"},
 "_acme":{"type":"object","properties":{"v":{},"b":{"type":"boolean"},
   "person":{"type":"object","properties":{"author":{"type":"string"},"title":{"type":"string"}}}}}}}`

// aDate is the date the date_part probes take apart: Thursday 1 October 2020, 13:14:15.678
// UTC (day 275 of a leap year, ISO week 40).
const aDate = `date("2020-10-01 13:14:15.678", "yyyy-MM-dd HH:mm:ss.SSS")`

func referenceProbes() []probe {
	var ps []probe
	add := func(p ...probe) { ps = append(ps, p...) }

	// §3.1: the expression-validation example
	add(probe{quote: `{"expression":"concat(\"Hi\", \",\", \"there\", \"!\")"}`, src: `concat("Hi", ",", "there", "!")`, documented: `"Hi,there!"`})

	// §3.2: source types, both mapping-set forms, paths, coercion
	add(probe{quote: `{"sourceType": "STATIC",     "source": "CUSTOMER", "destination": "userType",`, kind: "STATIC", src: "CUSTOMER", dest: "userType", documented: `"CUSTOMER"`},
		probe{quote: `"sourceType": "ATTRIBUTE",  "source": "data.identifiers.email"`, kind: "ATTRIBUTE", src: "data.identifiers.email", rec: `{"data":{"identifiers":{"email":"a@x"}}}`, documented: `"a@x"`},
		probe{quote: `{"sourceAttribute": …, "destinationXdmPath": …`, kind: "legacy", src: "marketing_type", documented: `"phyMail"`},
		probe{quote: "array index `emails[0].email`", kind: "ATTRIBUTE", src: "emails[0].email", documented: `"a@x"`},
		probe{quote: "wildcard `emails[*].name` in source", kind: "ATTRIBUTE", src: "emails[*].name", documented: `["A","B"]`},
		probe{quote: "(`address.street\\.name`)", kind: "ATTRIBUTE", src: `address.street\.name`, documented: `"Elm"`},
		probe{quote: "are wrapped `${First Name}`", kind: "ATTRIBUTE", src: "${First Name}", documented: `"Ann"`},
		probe{quote: "names with spaces or\n  that are reserved words are wrapped", src: "${size}", documented: `"XL"`},
		probe{quote: "mapping a source object onto a target object also copies same-named children", kind: "ATTRIBUTE", src: "book_details", dest: "_acme.person",
			documented: `{"author":"Ann","title":"T"}`},
		probe{quote: "preview maps numeric `1234` into `_id` as `\"1234\"`", kind: "ATTRIBUTE", src: "n", dest: "_id", documented: `"1234"`},
	)
	for _, v := range []string{"y", "yes", "Y", "YES", "on", "ON", "true", "TRUE"} {
		add(probe{quote: "`y yes Y YES on ON true TRUE` → true", kind: "STATIC", src: v, dest: "_acme.b", documented: `true`})
	}
	for _, v := range []string{"n", "N", "no", "NO", "off", "OFF", "false", "FALSE"} {
		add(probe{quote: "`n N no NO off OFF false FALSE`\n  → false", kind: "STATIC", src: v, dest: "_acme.b", documented: `false`})
	}

	// §3.3 String
	add(probe{quote: "`explode(S, REGEX?)` (default `,`", src: `explode("a,b,c")`, documented: `["a","b","c"]`},
		probe{quote: "regex metachars must be escaped", src: `explode("a.b", "\\.")`, documented: `["a","b"]`},
		probe{quote: "`split(IN, SEP)` (drops empty parts, unlike `explode`)", src: `split("a,,b", ",")`, documented: `["a","b"]`},
		probe{quote: "`split(IN, SEP)` (drops empty parts, unlike `explode`)", src: `explode("a,,b", ",")`, documented: `["a","","b"]`},
		probe{quote: "`instr(\"adobe.com\",\"com\")`=6", src: `instr("adobe.com","com")`, documented: `6`},
		probe{quote: "`substr(\"This is a substring test\",7,8)` = `\" a subst\"`", src: `substr("This is a substring test",7,8)`, documented: `" a subst"`},
		probe{quote: "`replacestr(IN, FIND, REPL)`", src: `replacestr("a-b-c", "-", "+")`, documented: `"a+b+c"`},
		probe{quote: "`lower`/`lcase`", src: `lcase("HeLLo")`, documented: `"hello"`},
		probe{quote: "`upper`/`ucase`", src: `ucase("HeLLo")`, documented: `"HELLO"`},
		probe{quote: "`join(SEP, ARRAY)`", src: `join("-", ["a", "b"])`, documented: `"a-b"`},
		probe{quote: "`lpad(IN, COUNT, PAD)`", src: `lpad("bat", 8, "yz")`, documented: `"yzyzybat"`},
		probe{quote: "`left(S, N)`, `right(S, N)`", src: `right("abcde", 2)`, documented: `"de"`},
		probe{quote: "`ltrim`, `rtrim`, `trim`", src: `trim("  hi  ")`, documented: `"hi"`},
		probe{quote: "`S1.equals(S2)`, `S1.equalsIgnoreCase(S2)` (method syntax)", src: `"abc".equalsIgnoreCase("ABC")`, documented: `true`},
	)
	// §3.3 Regex
	add(probe{quote: "`extract_regex(S, REGEX)` → array `[whole, group1, …]`", src: `extract_regex("E259,E259B_009,1_1", "([^,]+),[^,]*,([^,]+)")`,
		documented: `["E259,E259B_009,1_1","E259","1_1"]`},
		probe{quote: "`matches_regex(S, REGEX)`", src: `matches_regex("E259", "E\\d+")`, documented: `true`},
	)
	// §3.3 Hashing: the doc examples equal the standard digests (the reference checked them)
	add(probe{quote: "`sha1/sha256/sha512/md5(\"my text\",\"UTF-8\")` equal the standard digests", src: `sha1("my text", "UTF-8")`, documented: `"c3599c11e47719df18a2448690840c5dfcce3c80"`},
		probe{quote: "`sha1/sha256/sha512/md5(\"my text\",\"UTF-8\")` equal the standard digests", src: `sha256("my text", "UTF-8")`, documented: `"7330d2b39ca35eaf4cb95fc846c21ee6a39af698154a83a586ee270a0d372104"`},
		probe{quote: "`sha1/sha256/sha512/md5(\"my text\",\"UTF-8\")` equal the standard digests", src: `sha512("my text", "UTF-8")`,
			documented: `"a3d7e45a0d9be5fd4e4b9a3b8c9c2163c21ef708bf11b4232bb21d2a8704ada2cdcd7b367dd0788a89a5c908cfe377aceb1072a7b386b7d4fd2ff68a8fd24d16"`},
		probe{quote: "`sha1/sha256/sha512/md5(\"my text\",\"UTF-8\")` equal the standard digests", src: `md5("my text", "UTF-8")`, documented: `"d3b96ce8c9fb4e9bd0198d03ba6852c7"`},
		probe{quote: "the `crc32` example `8df92e80`", src: `crc32("my text", "UTF-8")`, documented: `"8df92e80"`, want: `"802ef98d"`,
			why: "the reference flags the example as the byte-reversed standard CRC-32 (unverified which AEP prints); ciosim prints the standard value, as java.util.zip.CRC32 and every other CRC-32 do"},
	)
	// §3.3 URL
	add(probe{quote: "`get_url_protocol(URL)`", src: `get_url_protocol("https://platform.adobe.com/home")`, documented: `"https"`},
		probe{quote: "`get_url_host(URL)`", src: `get_url_host("https://platform.adobe.com/home")`, documented: `"platform.adobe.com"`},
		probe{quote: "`get_url_port(URL)` (scheme default, `sftp` → 22)", src: `get_url_port("sftp://example.com//home/joe/employee.csv")`, documented: `22`},
		probe{quote: "`get_url_port(URL)` (scheme default, `sftp` → 22)", src: `get_url_port("https://example.com/x")`, documented: `443`},
		probe{quote: "`get_url_path(URL, FULL?)`", src: `get_url_path("https://a.com/p/q.html?x=1", true)`, documented: `"/p/q.html?x=1"`},
		probe{quote: "`get_url_query_str(URL, \"retain\"|\"remove\"|\"append\")` → map (`_anchor_` key for append)",
			src: `get_url_query_str("foo://example.com:8042/over/there?name=ferret#nose", "append")`, documented: `{"_anchor_":"nose","name":"ferret"}`},
		probe{quote: "`get_url_encoded(URL)`", src: `get_url_encoded("https://a.com/b c")`, documented: `"https%3A%2F%2Fa.com%2Fb+c"`},
		probe{quote: "`get_url_decoded(URL)`", src: `get_url_decoded("https%3A%2F%2Fa.com%2Fb+c")`, documented: `"https://a.com/b c"`},
	)
	// §3.3 Date/time (the clock is 2021-10-26T10:10:24Z)
	add(probe{quote: "shown as `2021-10-26T10:10:24Z`", src: `now()`, documented: `"2021-10-26T10:10:24Z"`},
		probe{quote: "`timestamp()` (current Unix time **ms**)", src: `timestamp()`, documented: `1635243024000`},
		probe{quote: "`format(DATE, FMT)`", src: `format(` + aDate + `, "dd/MM/yyyy HH:mm")`, documented: `"01/10/2020 13:14"`},
		probe{quote: "`dformat(TS_MS, FMT)`", src: `dformat(1571829875000, "yyyy-MM-dd'T'HH:mm:ss.SSSX")`, documented: `"2019-10-23T11:24:35.000Z"`},
		probe{quote: "`date(S, FMT, DEFAULT)` → ZonedDateTime (FMT = format of the *input*)", src: `date("nope", "yyyy-MM-dd", now())`, documented: `"2021-10-26T10:10:24Z"`},
		probe{quote: "the doc's own example uses `\"MM\"`", src: `date_part("MM", ` + aDate + `)`, documented: `10`},
	)
	parts := []struct {
		names string
		want  string
	}{
		{"year yyyy yy", "2020"}, {"quarter qq q", "4"}, {"month mm m", "10"}, {"dayofyear dy y", "275"},
		{"day dd d", "1"}, {"week ww", "40"}, {"weekday dw", "5"}, {"hour hh hh24", "13"}, {"hh12", "1"},
		{"minute mi n", "14"}, {"second ss s", "15"}, {"millisecond SSS", "678"},
	}
	for _, p := range parts {
		for _, n := range strings.Fields(p.names) {
			add(probe{quote: "(components `year|yyyy|yy`, `quarter|qq|q`, `month|mm|m`, `dayofyear|dy|y`, `day|dd|d`, `week|ww|w`, `weekday|dw|w`, `hour|hh|hh24|hh12`, `minute|mi|n`, `second|ss|s`, `millisecond|SSS`",
				src: `date_part("` + n + `", ` + aDate + `)`, documented: p.want})
		}
	}
	add(probe{quote: "`week|ww|w`, `weekday|dw|w`", src: `date_part("w", ` + aDate + `)`, documented: `40 or 5`, want: `40`,
		why: "the reference lists `w` for both week and weekday; ciosim reads it as week (the first listed)"},
		probe{quote: "`set_date_part(COMPONENT, VALUE, DATE)` (year/month/day/hour/minute/second forms only)", src: `set_date_part("month", 2, ` + aDate + `)`, documented: `"2020-02-01T13:14:15.678Z"`},
		probe{quote: "`set_date_part(COMPONENT, VALUE, DATE)` (year/month/day/hour/minute/second forms only)", src: `set_date_part("quarter", 2, ` + aDate + `)`, documented: "", want: "warn:unknown date component"},
		probe{quote: "`make_date_time(Y, M, D, h, m, s, ns, TZ)` (alias `make_timestamp`)", src: `make_timestamp(2019, 10, 17, 11, 55, 12, 0, "America/Los_Angeles")`, documented: `"2019-10-17T11:55:12-07:00"`},
		probe{quote: "`zone_date_to_utc(DATE)`", src: `zone_date_to_utc(make_date_time(2019, 10, 17, 11, 55, 12, 0, "America/Los_Angeles"))`, documented: `"2019-10-17T18:55:12Z"`},
		probe{quote: "`zone_date_to_zone(DATE, ZONE)`", src: `zone_date_to_zone(make_date_time(2019, 10, 17, 11, 55, 12, 0, "UTC"), "Europe/Paris")`, documented: `"2019-10-17T13:55:12+02:00"`},
		probe{quote: "`zone_date_to_zone` example calls `zone_date_to_utc`", src: `zone_date_to_utc(make_date_time(2019, 10, 17, 11, 55, 12, 0, "UTC"), "Europe/Paris")`,
			documented: `"2019-10-17T13:55:12+02:00"`, want: "compile:zone_date_to_utc() takes 1 argument(s), got 2",
			why: "a doc bug the reference flags: zone_date_to_utc takes one argument; ciosim refuses the call when the set is loaded, as AEP's expression validation would"},
	)
	// §3.3 Objects
	add(probe{quote: "`is_empty(X)`", src: `is_empty("")`, documented: `true`},
		probe{quote: "`arrays_to_object(k1, arr1, k2, arr2, …)` (doc example spells `arrays_to_objects`)", src: `arrays_to_object("sku", ["a", "b"], "price", [1, 2])`,
			documented: `[{"price":1,"sku":"a"},{"price":2,"sku":"b"}]`},
		probe{quote: "`arrays_to_object(k1, arr1, k2, arr2, …)` (doc example spells `arrays_to_objects`)", src: `arrays_to_objects("sku", ["a"])`, documented: `[{"sku":"a"}]`},
		probe{quote: "`to_object(k1, v1, …)`", src: `to_object("a", 1, "b", "x")`, documented: `{"a":1,"b":"x"}`},
		probe{quote: "`str_to_object(S, VALDELIM?=\":\", FIELDDELIM?=\",\")` (+ `.get(\"k\")`)", src: `str_to_object("k1:v1,k2:v2")`, documented: `{"k1":"v1","k2":"v2"}`},
		probe{quote: "`str_to_object(S, VALDELIM?=\":\", FIELDDELIM?=\",\")` (+ `.get(\"k\")`)", src: `str_to_object("k1:v1,k2:v2").get("k2")`, documented: `"v2"`},
		probe{quote: "`contains_key(PATH)` (replaces deprecated `is_set`)", src: `contains_key("book_details.author")`, documented: `true`},
		probe{quote: "`contains_key(PATH)` (replaces deprecated `is_set`)", src: `is_set("book_details.nope")`, documented: `false`},
		probe{quote: "`nullify()`", src: `nullify()`, documented: `null`, want: "absent"},
		probe{quote: "`get_keys(OBJ)`", src: `get_keys(book_details)`, documented: `["author","isbn","title"]`},
		probe{quote: "`get_values(S, KEY, VALDELIM, FIELDDELIM?)`", src: `get_values("a - 1 , b - 2", "b", "-", ",")`, documented: `"2"`},
	)
	// §3.3 Maps
	add(probe{quote: "`map_get_values(MAP, KEY|KEYS)`", src: `map_get_values(book_details, "author")`, documented: `"Ann"`},
		probe{quote: "`map_has_keys(MAP, KEY|KEYS)`", src: `map_has_keys(book_details, ["author", "title"])`, documented: `true`},
		probe{quote: "`add_to_map(MAP1, MAP2, …)` (first key wins)", src: `add_to_map(to_map("a", 1), to_map("a", 2, "b", 3))`, documented: `{"a":1,"b":3}`},
		probe{quote: "`object_to_map(k, v, …)` / `object_to_map(OBJ)` / `object_to_map(OBJ_ARRAY, KEYATTR)`", src: `object_to_map("a", 1)`, documented: `{"a":1}`},
		probe{quote: "`object_to_map(k, v, …)` / `object_to_map(OBJ)` / `object_to_map(OBJ_ARRAY, KEYATTR)`", src: `object_to_map(book_details)`, documented: `{"author":"Ann","isbn":"1","title":"T"}`},
		probe{quote: "`object_to_map(k, v, …)` / `object_to_map(OBJ)` / `object_to_map(OBJ_ARRAY, KEYATTR)`", src: `object_to_map(emails, "email")`,
			documented: `{"a@x":{"email":"a@x","name":"A"},"b@x":{"email":"b@x","name":"B"}}`},
		probe{quote: "`array_to_map(OBJ_ARRAY, KEY)`", src: `array_to_map(emails, "name")`, documented: `{"A":{"email":"a@x","name":"A"},"B":{"email":"b@x","name":"B"}}`},
		probe{quote: "`to_map(k, v, …)`", src: `to_map("k", "v")`, documented: `{"k":"v"}`},
	)
	// §3.3 Arrays
	add(probe{quote: "`coalesce(…)` (first non-null)", src: `coalesce(null, book_details.nope, "x")`, documented: `"x"`},
		probe{quote: "`first(…)`, `last(…)`", src: `last("1", "2", "3")`, documented: `"3"`},
		probe{quote: "`add_to_array(ARR, v…)`", src: `add_to_array(["a"], "b", "c")`, documented: `["a","b","c"]`},
		probe{quote: "`join_arrays(ARR, ARR…)`", src: `join_arrays(["a"], ["b", "c"])`, documented: `["a","b","c"]`},
		probe{quote: "`to_array(INCLUDE_NULLS, v…)`", src: `to_array(false, "a", null)`, documented: `["a"]`},
		probe{quote: "`to_array(INCLUDE_NULLS, v…)`", src: `to_array(true, "a", null)`, documented: `["a",null]`},
		probe{quote: "`size_of(X)`", src: `size_of([1, 2, 3])`, documented: `3`},
		probe{quote: "`upsert_array_append(ARR)`, `upsert_array_replace(ARR)`", src: `upsert_array_replace([1, 2])`, documented: `[1,2]`},
	)
	for _, f := range []string{"array_to_string", "filterArray", "transformArray", "flattenArray"} {
		add(probe{quote: "destinations-only: `array_to_string`, `filterArray`, `transformArray`, `flattenArray`", src: f + `(emails)`, want: "warn:destination dataflows only"})
	}
	// §3.3 Logic, aggregation, conversion, JSON, special
	add(probe{quote: "`decode(KEY, k1, v1, k2, v2, …, DEFAULT?)`", src: `decode("pa", "ca", "California", "pa", "Pennsylvania", "N/A")`, documented: `"Pennsylvania"`},
		probe{quote: "`iif(COND, TRUE_V, FALSE_V)`", src: `iif(1 > 2, "t", "f")`, documented: `"f"`},
		probe{quote: "`min(…)`, `max(…)`", src: `max(3, 9, 4)`, documented: `9`},
		probe{quote: "`to_bigint(\"1000000.34\")` → `1000000.34`", src: `to_bigint("1000000.34")`, documented: `1000000.34`, want: "warn:to_bigint",
			why: "a doc bug the reference flags: a BigInteger has no fraction; ciosim fails the call (field nulled with a warning) as Java's new BigInteger(\"1000000.34\") does"},
		probe{quote: "`to_bigint(S)`", src: `to_bigint("123456789012345678901234567890")`, documented: `123456789012345678901234567890`},
		probe{quote: "`to_decimal(S)` (Double)", src: `to_decimal("20.5")`, documented: `20.5`},
		probe{quote: "`to_float(\"12.3456\")` → `12.34566`", src: `to_float("12.3456")`, documented: `12.34566`, want: `12.3456`,
			why: "a doc bug the reference flags (a digit appears from nowhere); ciosim returns the float of the input"},
		probe{quote: "`to_integer(S)`", src: `to_integer("12")`, documented: `12`},
		probe{quote: "`json_to_object(S)`", src: `json_to_object("{\"a\":{\"b\":1}}")`, documented: `{"a":{"b":1}}`},
		probe{quote: "`uuid()` / `guid()` (random v4-style id)", src: `guid()`, documented: `re:^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`},
		probe{quote: "`fpid_to_ecid(S)`", src: `fpid_to_ecid("4ed70bee-b654-420a-a3fd-b58b6b65e991")`, want: "warn:Adobe does not publish how an ECID is derived from an FPID",
			why: "the reference gives no output and Adobe does not publish the derivation; ciosim refuses rather than invents an ECID (docs/transform.md)"},
	)
	// §3.3 User agent (the user agent of Adobe's ua_* examples)
	for _, u := range []struct{ fn, want string }{
		{"ua_os_name", `"iOS"`}, {"ua_os_version_major", `"iOS 5"`}, {"ua_os_version", `"5.1.1"`}, {"ua_os_name_version", `"iOS 5.1.1"`},
		{"ua_agent_version", `"5.1"`}, {"ua_agent_version_major", `"Safari 5"`}, {"ua_agent_name", `"Safari"`}, {"ua_device_class", `"Phone"`},
	} {
		add(probe{quote: "`ua_os_name`, `ua_os_version_major`, `ua_os_version`, `ua_os_name_version`, `ua_agent_version`, `ua_agent_version_major`, `ua_agent_name`, `ua_device_class`",
			src: u.fn + `(ua)`, want: u.want})
	}
	for _, f := range []string{"aa_get_event_id", "aa_get_event_value", "aa_get_product_categories", "aa_get_product_names",
		"aa_get_product_quantities", "aa_get_product_prices", "aa_get_product_event_values", "aa_get_product_evars"} {
		add(probe{quote: "| Analytics only | `aa_get_event_id`", src: f + `(ua)`, want: "warn:Adobe Analytics source only"})
	}

	// §3.4 Expression language
	add(probe{quote: "`+ - * /` arithmetic, unary `-`, `~` (bit complement),\n  `!`/`not`", src: `-(7 * 2 - 10 / 5) + ~0`, documented: `-13`},
		probe{quote: "`!`/`not`; comparisons `== != < > <= >=` and `&& ||` appear in examples", src: `!(1 == 2) && not (3 <= 2) || 1 != 1`, documented: `true`},
		probe{quote: "(`iif(total_consents > 5000, …)`)", src: `iif(total_consents > 5000, "high", "low")`, documented: `"high"`},
		probe{quote: "`iif(marketing_type.equals(\"phyMail\"), nullify(), marketing_type)`", src: `iif(marketing_type.equals("phyMail"), nullify(), marketing_type)`, documented: `null`, want: "absent"},
		probe{quote: "A calculated field is at most 4096 characters", src: `concat("` + strings.Repeat("x", 4090) + `")`, want: "compile:4096"},
		probe{quote: "`now()` inside `concat` rendered as Java `Date.toString()`", src: `concat("at ", now())`, documented: `"at Tue Oct 26 10:10:24 UTC 2021"`, want: `"at 2021-10-26T10:10:24Z"`,
			why: "the docs conflict (S18 shows Date.toString(), S17 the ISO form); ciosim writes the ISO form everywhere"},
	)

	// §3.5 Dates: date() without a format tries the documented list in order
	for _, d := range []struct{ format, in, want string }{
		{"`yyyy-MM-dd HH:mm:ssZ`", "2020-12-11 10:11:12+0100", "2020-12-11T10:11:12+01:00"},
		{"`yyyy-MM-dd HH:mm:ss.SSSZ`", "2020-12-11 10:11:12.345+0100", "2020-12-11T10:11:12.345+01:00"},
		{"`yyyy-MM-dd HH:mm:ss.SSS`", "2020-12-11 10:11:12.345", "2020-12-11T10:11:12.345Z"},
		{"`yyyy-MM-dd'T'HH:mm:ss.SSSX`", "2020-12-11T10:11:12.345+01", "2020-12-11T10:11:12.345+01:00"},
		{"`yyyy-MM-dd'T'HH:mm:ss'Z'`", "2020-12-11T10:11:12Z", "2020-12-11T10:11:12Z"},
		{"`yyyy-MM-dd`", "2020-12-11", "2020-12-11T00:00:00Z"},
		{"`yyyy/MM/dd`", "2020/12/11", "2020-12-11T00:00:00Z"},
		{"`yyyy.MM.dd`", "2020.12.11", "2020-12-11T00:00:00Z"},
		{"`yyyy-MMM-dd`", "2020-Dec-11", "2020-12-11T00:00:00Z"},
		{"`yyyyMMdd`", "20201211", "2020-12-11T00:00:00Z"},
		{"`MM-dd-yyyy`", "12-11-2020", "2020-12-11T00:00:00Z"},
		{"`MMddyyyy`", "12112020", "2020-12-11T00:00:00Z"},
		{"`M/dd/yyyy`", "2/11/2020", "2020-02-11T00:00:00Z"},
		{"`dd.M.yyyy`", "11.2.2020", "2020-02-11T00:00:00Z"},
		{"`M/dd/yyyy hh:mm:ss a`", "2/11/2020 10:11:12 PM", "2020-02-11T22:11:12Z"},
		{"`dd.M.yyyy hh:mm:ss a`", "11.2.2020 10:11:12 AM", "2020-02-11T10:11:12Z"},
		{"`dd.MMM.yyyy`", "11.Feb.2020", "2020-02-11T00:00:00Z"},
		{"`dd-MMM-yyyy`", "11-Feb-2020", "2020-02-11T00:00:00Z"},
	} {
		add(probe{quote: d.format, src: `date("` + d.in + `")`, documented: `"` + d.want + `"`})
	}
	add(probe{quote: "(so `12112020` parses as MMddyyyy)", src: `date("12112020")`, documented: `"2020-12-11T00:00:00Z"`},
		probe{quote: "`dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")`", src: `dformat(timestamp * 1000, "yyyy-MM-dd'T'HH:mm:ss.SSSX")`, documented: `"2021-02-11T17:04:49.000Z"`},
	)
	return ps
}

// TestReferenceProbes runs every Data Prep example of the reference (§3 of
// ../shared/reference/aep-streaming.md: function examples, stated behaviours, paths,
// coercion, default date formats) through the mapping engine and compares ciosim's output
// with the documented one. Where they differ, the probe says why; the test lists them.
func TestReferenceProbes(t *testing.T) {
	ref, err := os.ReadFile(sharedtest.Path(t, "reference/aep-streaming.md"))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := LoadSchema(SchemaFile{Name: "probe.schema.json", Data: []byte(probeSchema)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 10, 26, 10, 10, 24, 0, time.UTC)
	probes := referenceProbes()
	var differ []string
	for i, p := range probes {
		name := fmt.Sprintf("%03d %s", i, p.src)
		if !bytes.Contains(ref, []byte(p.quote)) {
			t.Errorf("%s: the reference does not say %q", name, p.quote)
		}
		dest := p.dest
		if dest == "" {
			dest = "_acme.v"
		}
		kind := p.kind
		if kind == "" {
			kind = "EXPRESSION"
		}
		m := map[string]string{"sourceType": kind, "source": p.src, "destination": dest}
		if kind == "legacy" {
			m = map[string]string{"sourceAttribute": p.src, "destinationXdmPath": dest}
		}
		set, _ := json.Marshal(map[string]any{"mappings": []any{m}})
		ms, err := ParseMappingSet(set)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := p.want
		if want == "" {
			want = p.documented
		}
		o := Options{Now: func() time.Time { return now }, Rand: bytes.NewReader(bytes.Repeat([]byte{0x5a}, 64))}
		if strings.HasPrefix(dest, "_id") || strings.HasPrefix(dest, "userType") || dest == "_acme.b" || dest == "_acme.person" {
			o.Schema = schema
		}
		mp, err := Compile(ms, o)
		if strings.HasPrefix(want, "compile:") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(want, "compile:")) {
				t.Errorf("%s: compile error %v, want one naming %s", name, err, strings.TrimPrefix(want, "compile:"))
			}
			if p.why != "" {
				differ = append(differ, fmt.Sprintf("%s: documented %s, ciosim refuses it when the set is loaded — %s", p.src, p.documented, p.why))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: compile: %v", name, err)
			continue
		}
		rec := p.rec
		if rec == "" {
			rec = probeRecord
		}
		res, err := mp.Map([]byte(rec))
		if err != nil {
			t.Errorf("%s: map: %v", name, err)
			continue
		}
		var out map[string]any
		dec := json.NewDecoder(bytes.NewReader(res.Record))
		dec.UseNumber() // keep big integers' digits
		dec.Decode(&out)
		got, found := any(out), true
		for _, k := range strings.Split(dest, ".") {
			mm, _ := got.(map[string]any)
			got, found = mm[k]
			if !found {
				break
			}
		}
		gb, _ := json.Marshal(got)
		switch {
		case strings.HasPrefix(want, "warn:"):
			if found || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], strings.TrimPrefix(want, "warn:")) {
				t.Errorf("%s: got %s (found %v), warnings %q; want the field nulled with a warning containing %q", name, gb, found, res.Warnings, strings.TrimPrefix(want, "warn:"))
			}
		case want == "absent":
			if found {
				t.Errorf("%s: got %s, want the field left out (a null value is not written)", name, gb)
			}
		case strings.HasPrefix(want, "re:"):
			if !regexp.MustCompile(strings.TrimPrefix(want, "re:")).Match(gb) {
				t.Errorf("%s = %s, want %s", name, gb, want)
			}
		default:
			if !found || string(gb) != want || len(res.Warnings) > 0 {
				t.Errorf("%s = %s (found %v, warnings %q), want %s", name, gb, found, res.Warnings, want)
			}
		}
		if p.want != "" && p.why != "" && p.want != p.documented {
			differ = append(differ, fmt.Sprintf("%s: documented %s, ciosim %s — %s", p.src, p.documented, p.want, p.why))
		}
	}
	t.Logf("%d probes from the reference; %d differ from the documented output:", len(probes), len(differ))
	for _, d := range differ {
		t.Logf("  %s", d)
	}
}

// TestObjectCopy_keepsSchemaChildren: mapping a source object onto a target object copies
// the same-named children the target schema defines, at every depth and in arrays of
// objects; maps and open objects keep everything; the source is not modified.
func TestObjectCopy_keepsSchemaChildren(t *testing.T) {
	schema, err := LoadSchema(SchemaFile{Name: "s.json", Data: []byte(`{"type":"object","properties":{"_acme":{"type":"object","properties":{
		"person":{"type":"object","properties":{"name":{"type":"string"},"address":{"type":"object","properties":{"city":{"type":"string"}}},
			"tags":{"type":"object","meta:xdmType":"map","additionalProperties":{"type":"string"}},
			"open":{"type":"object"}}},
		"people":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
		"each":{"type":"array","items":{"type":"object","properties":{"p":{"type":"object","properties":{"name":{"type":"string"}}}}}}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := ParseMappingSet([]byte(`{"mappings":[
		{"sourceType":"ATTRIBUTE","source":"p","destination":"_acme.person"},
		{"sourceType":"ATTRIBUTE","source":"ps","destination":"_acme.people"},
		{"sourceType":"ATTRIBUTE","source":"ps[*]","destination":"_acme.each[*].p"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Compile(ms, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	in := `{"p":{"name":"Ann","age":7,"address":{"city":"Oslo","zip":"0150"},"tags":{"x":"1","y":"2"},"open":{"any":1}},
		"ps":[{"name":"A","extra":1},{"name":"B"}]}`
	res, err := mp.Map([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_acme":{"each":[{"p":{"name":"A"}},{"p":{"name":"B"}}],"people":[{"name":"A"},{"name":"B"}],` +
		`"person":{"address":{"city":"Oslo"},"name":"Ann","open":{"any":1},"tags":{"x":"1","y":"2"}}}}`
	if string(res.Record) != want || len(res.Warnings) != 0 {
		t.Errorf("record %s warnings %q\nwant   %s", res.Record, res.Warnings, want)
	}
	// without a schema, the object is copied whole
	mp, _ = Compile(ms, Options{})
	res, _ = mp.Map([]byte(in))
	if !strings.Contains(string(res.Record), `"age":7`) || !strings.Contains(string(res.Record), `"zip":"0150"`) {
		t.Errorf("without a schema: %s", res.Record)
	}
}

// TestObjectCopy_recursiveSchemaBounded: a schema that refers to itself compiles quickly
// into a pruner with the same cycle, which prunes at any depth the data has.
func TestObjectCopy_recursiveSchemaBounded(t *testing.T) {
	schema, err := LoadSchema(SchemaFile{Name: "r.json", Data: []byte(`{"$id":"https://ns.adobe.com/acme/r","type":"object","properties":{
		"node":{"$ref":"#/definitions/n"}},"definitions":{"n":{"type":"object","properties":{
		"a":{"$ref":"#/definitions/n"},"b":{"$ref":"#/definitions/n"},"c":{"$ref":"#/definitions/n"},"v":{"type":"string"}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := ParseMappingSet([]byte(`{"mappings":[{"sourceType":"ATTRIBUTE","source":"x","destination":"node"}]}`))
	start := time.Now()
	mp, err := Compile(ms, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("compile took %s", d)
	}
	res, _ := mp.Map([]byte(`{"x":{"v":"1","zz":2,"a":{"v":"2","zz":3},"c":{"b":{"a":{"c":{"v":"3","zz":4}}}}}}`))
	if string(res.Record) != `{"node":{"a":{"v":"2"},"c":{"b":{"a":{"c":{"v":"3"}}}},"v":"1"}}` {
		t.Errorf("record %s", res.Record)
	}
}
