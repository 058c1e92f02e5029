package xdm

// canonicalDateTime reports whether s is already what date-time coercion makes of it
// (expr.ParseDate, then RFC 3339 with nanoseconds): yyyy-MM-ddTHH:mm:ssZ or
// yyyy-MM-ddTHH:mm:ss.SSSZ with a last fraction digit other than 0, a year from 1000, a real
// date, HH ≤ 23, mm and ss ≤ 59. Such a string is kept as it is, so the common case (the
// timestamp the mapping wrote in UTC) is neither parsed nor written again; anything else
// goes through ParseDate (TestCanonicalDateTime, FuzzCanonicalDateTime).
func canonicalDateTime(s string) bool {
	switch len(s) {
	case 20:
	case 24:
		if s[19] != '.' || !digits(s[20:23]) || s[22] == '0' {
			return false
		}
	default:
		return false
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return false
	}
	if !digits(s[0:4]) || !digits(s[5:7]) || !digits(s[8:10]) || !digits(s[11:13]) || !digits(s[14:16]) || !digits(s[17:19]) {
		return false
	}
	if s[0] == '0' || num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 59 {
		return false
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + num2(s, 2)
	m, d := num2(s, 5), num2(s, 8)
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func num2(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
