package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic people: names drawn from short lists per nationality, CNICs and
// passport numbers in the right format but made up. None is a real person.

var pkGiven = struct{ male, female []string }{
	[]string{"Muhammad Ali", "Ahmed", "Usman", "Bilal", "Hamza", "Imran", "Kashif", "Faisal", "Zeeshan", "Adnan", "Asad", "Waqas", "Shahzad", "Tariq", "Nadeem", "Fahad", "Junaid", "Haris", "Saad", "Danish"},
	[]string{"Saima", "Sana", "Hina", "Ayesha", "Rabia", "Nida", "Mehwish", "Sadia", "Iqra", "Amna"},
}

var pkFamily = []string{"Khan", "Ahmed", "Malik", "Butt", "Qureshi", "Chaudhry", "Raza", "Sheikh", "Hussain", "Iqbal", "Javed", "Abbasi", "Mirza", "Siddiqui", "Baloch", "Memon", "Awan", "Gondal", "Rana", "Dar"}

// foreignNames are given names and family names per nationality; surnameFirst
// marks where the family name is written first.
var foreignNames = map[string]struct {
	given, family []string
	surnameFirst  bool
	passport      string // passport number prefix
}{
	"CN": {[]string{"Wei", "Jun", "Lei", "Hao", "Ming", "Yan", "Jie", "Tao", "Ping", "Xin", "Qiang", "Bo"}, []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"}, true, "E"},
	"NG": {[]string{"Chinedu", "Emeka", "Oluwaseun", "Ifeanyi", "Tunde", "Chukwuma", "Ngozi", "Adaeze", "Babajide", "Obinna"}, []string{"Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Nwosu", "Ogunleye", "Uche", "Obi", "Adebayo"}, false, "A"},
	"PH": {[]string{"Jose", "Mark", "John Paul", "Maria", "Angelica", "Carlo", "Rommel", "Jericho", "Kristine", "Joy"}, []string{"Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Ramos", "Aquino"}, false, "P"},
	"LK": {[]string{"Nuwan", "Kasun", "Chaminda", "Dilshan", "Tharindu", "Ruwan"}, []string{"Perera", "Fernando", "Silva", "Jayasinghe", "Bandara", "Wickramasinghe"}, false, "N"},
	"ID": {[]string{"Budi", "Agus", "Dewi", "Rizky", "Eko", "Sri"}, []string{"Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Susanto"}, false, "C"},
	"VN": {[]string{"Anh", "Minh", "Tuan", "Hung", "Linh"}, []string{"Nguyen", "Tran", "Le", "Pham", "Hoang"}, true, "C"},
	"NP": {[]string{"Ram", "Sita", "Bikash", "Suman", "Prakash"}, []string{"Shrestha", "Gurung", "Thapa", "Tamang", "Rai"}, false, "PA"},
	"CM": {[]string{"Jean", "Paul", "Samuel", "Christian"}, []string{"Mbarga", "Nkodo", "Fotso", "Tchoupo"}, false, "CM"},
	"BD": {[]string{"Rahim", "Karim", "Sumon", "Arif", "Rasel"}, []string{"Hossain", "Rahman", "Islam", "Uddin"}, false, "EB"},
	"AF": {[]string{"Ahmad", "Najib", "Hamid", "Farid"}, []string{"Rahimi", "Popal", "Karimi", "Stanekzai"}, false, "P"},
	"TH": {[]string{"Somchai", "Anan", "Niran", "Kanya"}, []string{"Srisuk", "Chaiyaporn", "Boonmee", "Wongsa"}, false, "AA"},
	"GH": {[]string{"Kwame", "Kofi", "Yaw", "Ama", "Kojo"}, []string{"Mensah", "Owusu", "Boateng", "Asante", "Appiah"}, false, "G"},
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// pakistani makes a name, gender and CNIC whose first digit is the
// province of cnicRegion (NADRA's numbering: 3 Punjab, 4 Sindh, 6 Islamabad…).
func pakistani(r *rand.Rand, cnicRegion int) (name, gender, cnic string) {
	gender, given := "male", pick(r, pkGiven.male)
	if r.IntN(6) == 0 {
		gender, given = "female", pick(r, pkGiven.female)
	}
	last := 2*r.IntN(5) + 1 // odd for men, even for women
	if gender == "female" {
		last--
	}
	cnic = fmt.Sprintf("%d%04d-%07d-%d", cnicRegion, 1001+r.IntN(8999), r.IntN(10_000_000), last)
	return given + " " + pick(r, pkFamily), gender, cnic
}

// foreigner makes a name, gender and passport number for a nationality.
func foreigner(r *rand.Rand, country string) (name, gender, passport string) {
	f, ok := foreignNames[country]
	if !ok {
		panic("demo: no names for " + country) // the tables below name only listed countries
	}
	given, family := pick(r, f.given), pick(r, f.family)
	name = given + " " + family
	if f.surnameFirst {
		name = family + " " + given
	}
	gender = "male"
	if r.IntN(4) == 0 {
		gender = "female"
	}
	digits := 9 - len(f.passport)
	return name, gender, f.passport + fmt.Sprintf("%0*d", digits, r.IntN(pow10(digits)))
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// mobile is a made-up Pakistani mobile number in the 03XX-NNNNNNN form
// people write.
func mobile(r *rand.Rand) string {
	return fmt.Sprintf("03%02d-%07d", pick(r, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 21, 22, 23, 24, 33, 34, 35, 36, 40, 41, 42, 45, 46, 47}), 1_000_000+r.IntN(9_000_000))
}

// wallet is a mobile wallet as victims name it: the provider and the number.
func wallet(r *rand.Rand) string {
	return pick(r, []string{"JazzCash", "Easypaisa", "SadaPay", "NayaPay"}) + " " + mobile(r)
}

// iban makes a Pakistani IBAN (24 characters) with correct check digits.
func iban(r *rand.Rand) string {
	bank := pick(r, []string{"HABB", "MUCB", "UNIL", "ALFH", "MEZN", "BAHL", "SCBL", "JSBL", "FAYS", "ASCM"})
	acct := fmt.Sprintf("%08d%08d", r.IntN(100_000_000), r.IntN(100_000_000))
	// ISO 13616: move the country and "00" to the end, letters to numbers,
	// mod 97; the check digits are 98 minus the remainder.
	rem := 0
	for _, c := range bank + acct + "PK00" {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("PK%02d%s%s", 98-rem, bank, acct)
}

// ethAddress is an Ethereum-style address in lower case (USDT on BSC and
// Ethereum is where these scams take payment); lower case carries no checksum.
func ethAddress(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("0x")
	for range 40 {
		b.WriteByte("0123456789abcdef"[r.IntN(16)])
	}
	return b.String()
}

// domain makes a scam site's name.
func domain(r *rand.Rand) string {
	return pick(r, []string{"gold", "profit", "smart", "daily", "secure", "fast", "trust", "royal", "prime", "star"}) + "-" +
		pick(r, []string{"trade", "earn", "invest", "rewards", "verify", "deals", "tasks", "signals", "wallet", "cash"}) +
		fmt.Sprintf("%d", 10+r.IntN(90)) + pick(r, []string{".com", ".pk", ".net", ".online", ".xyz"})
}

// rupees formats paisa as whole rupees with thousands separators.
func rupees(paisa int64) string {
	s := fmt.Sprint(paisa / 100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
