package identifier

// cnicRegions names the area that the first digit of a CNIC stands for.
// NADRA's published list stops at 7; cards issued in Azad Jammu and Kashmir
// begin with 8, and refusing a real complainant's card is worse than
// accepting one more digit, so 8 is allowed.
var cnicRegions = [10]string{
	1: "Khyber Pakhtunkhwa",
	2: "FATA",
	3: "Punjab",
	4: "Sindh",
	5: "Balochistan",
	6: "Islamabad",
	7: "Gilgit-Baltistan",
	8: "Azad Jammu and Kashmir",
}

// parseCNIC reads a CNIC. The rules applied:
//   - exactly 13 digits (Urdu and Arabic-Indic digits are accepted);
//   - written plain, or grouped exactly 5-7-1 with dashes or spaces, because
//     any other grouping means the digits were mistyped or belong to
//     something else;
//   - the first digit, the province, is 1–8;
//   - the five-digit locality code is not 00000 below its province digit,
//     and the number is not one digit repeated (placeholders typed into
//     forms).
//
// The last digit (odd for men, even for women) is not checked: NADRA
// issues both, and a transposed digit there still names a real person.
func parseCNIC(s string) ID {
	var buf [16]byte
	var groups [4]int
	ng, cur := 0, 0
	d := buf[:0]
	for i := 0; i < len(s); {
		if c, n := digitAt(s, i); n > 0 {
			if len(d) == cap(buf) {
				return invalid(s, "a CNIC has 13 digits, this has more")
			}
			d = append(d, c)
			cur++
			i += n
			continue
		}
		switch s[i] {
		case '-', ' ', '.':
			if cur > 0 {
				if ng < len(groups) {
					groups[ng] = cur
				}
				ng++
				cur = 0
			}
			i++
			continue
		}
		if n := invisibleAt(s, i); n > 0 {
			i += n
			continue
		}
		return invalid(s, "a CNIC has only digits and dashes")
	}
	if cur > 0 {
		if ng < len(groups) {
			groups[ng] = cur
		}
		ng++
	}
	if len(d) != 13 {
		return invalid(string(d), "a CNIC has 13 digits, this has "+itoa(len(d)))
	}
	if ng != 1 && (ng != 3 || groups[0] != 5 || groups[1] != 7 || groups[2] != 1) {
		return invalid(string(d), "a CNIC is written as 13 digits or 5-7-1 (12345-1234567-1)")
	}
	p := d[0] - '0'
	if p == 0 || cnicRegions[p] == "" {
		return invalid(string(d), "a CNIC starts with a province digit from 1 to 8")
	}
	if allSame(d) {
		return invalid(string(d), "a CNIC is not one digit repeated")
	}
	if d[1] == '0' && d[2] == '0' && d[3] == '0' && d[4] == '0' {
		return invalid(string(d), "the first five digits of a CNIC name a locality and cannot end in 0000")
	}
	var kb [32]byte
	k := append(kb[:0], "cnic:"...)
	k = append(k, d[:5]...)
	k = append(k, '-')
	k = append(k, d[5:12]...)
	k = append(k, '-', d[12])
	key := string(k)
	return ID{Value: key[len("cnic:"):], Key: key, Valid: true, Region: cnicRegions[p]}
}
