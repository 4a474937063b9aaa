package report

// countryNames are the nationalities met in Operation Grey's raids and a
// few neighbours; any other code is shown as itself, which is still exact.
var countryNames = map[string]string{
	"AE": "United Arab Emirates",
	"AF": "Afghanistan",
	"BD": "Bangladesh",
	"CM": "Cameroon",
	"CN": "China",
	"EG": "Egypt",
	"ET": "Ethiopia",
	"GB": "United Kingdom",
	"GH": "Ghana",
	"HK": "Hong Kong",
	"ID": "Indonesia",
	"IN": "India",
	"IR": "Iran",
	"IQ": "Iraq",
	"KE": "Kenya",
	"KH": "Cambodia",
	"KR": "South Korea",
	"LA": "Laos",
	"LK": "Sri Lanka",
	"MM": "Myanmar",
	"MY": "Malaysia",
	"NG": "Nigeria",
	"NP": "Nepal",
	"PH": "Philippines",
	"PK": "Pakistan",
	"RU": "Russia",
	"SA": "Saudi Arabia",
	"SD": "Sudan",
	"SN": "Senegal",
	"SO": "Somalia",
	"TG": "Togo",
	"TH": "Thailand",
	"TR": "Turkey",
	"TW": "Taiwan",
	"TZ": "Tanzania",
	"UG": "Uganda",
	"US": "United States",
	"UZ": "Uzbekistan",
	"VN": "Vietnam",
	"YE": "Yemen",
	"ZA": "South Africa",
	"ZW": "Zimbabwe",
}

// CountryName is the English name of an ISO 3166-1 alpha-2 code, or the
// code itself when this package does not know the country.
func CountryName(code string) string {
	if n, ok := countryNames[code]; ok {
		return n
	}
	return code
}
