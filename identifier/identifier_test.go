package identifier

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type parseCase struct {
	t    Type
	raw  string
	want ID // Type and Raw are filled in from t and raw
}

func valid(value, key string) ID { return ID{Value: value, Key: key, Valid: true} }

func with(id ID, f func(*ID)) ID { f(&id); return id }

func pkMobile(e164 string) ID {
	return ID{Value: e164, Key: "phone:" + e164, Valid: true, Kind: "mobile", Region: "PK"}
}

func bad(value, reason string) ID { return ID{Value: value, Reason: reason} }

var parseCases = []parseCase{
	// Phones: every way a Pakistani mobile number is written.
	{Phone, "0300-1234567", pkMobile("+923001234567")},
	{Phone, "03001234567", pkMobile("+923001234567")},
	{Phone, "+92 (300) 123 4567", pkMobile("+923001234567")},
	{Phone, "+92-300-1234567", pkMobile("+923001234567")},
	{Phone, "0092 300 1234567", pkMobile("+923001234567")},
	{Phone, "923001234567", pkMobile("+923001234567")},
	{Phone, "3001234567", pkMobile("+923001234567")},
	{Phone, " 0300 123 4567 ", pkMobile("+923001234567")},
	{Phone, "۰۳۰۰-۱۲۳۴۵۶۷", pkMobile("+923001234567")},
	{Phone, "٠٣٠٠١٢٣٤٥٦٧", pkMobile("+923001234567")},
	{Phone, "\u202a+92 321 7654321\u202c", pkMobile("+923217654321")},
	{Phone, "wa.me/923001234567", pkMobile("+923001234567")},
	{Phone, "https://wa.me/923001234567?text=salam", pkMobile("+923001234567")},
	{Phone, "https://api.whatsapp.com/send?phone=923001234567&text=hi", pkMobile("+923001234567")},
	{Phone, "https://api.whatsapp.com/send/?phone=%2B923001234567", pkMobile("+923001234567")},
	{Phone, "wa.me/03001234567", pkMobile("+923001234567")},
	{Phone, "tel:+923001234567", pkMobile("+923001234567")},
	{Phone, "tel:0300-1234567", pkMobile("+923001234567")},
	{Phone, "0355-1234567", pkMobile("+923551234567")},
	{Phone, "0364 1234567", pkMobile("+923641234567")},
	// Landlines, toll-free and UAN numbers.
	{Phone, "042-35761234", ID{Value: "+924235761234", Key: "phone:+924235761234", Valid: true, Kind: "landline", Region: "PK"}},
	{Phone, "(051) 2345678", ID{Value: "+92512345678", Key: "phone:+92512345678", Valid: true, Kind: "landline", Region: "PK"}},
	{Phone, "+92 21 3456 7890", ID{Value: "+922134567890", Key: "phone:+922134567890", Valid: true, Kind: "landline", Region: "PK"}},
	{Phone, "0800-12345", ID{Value: "+9280012345", Key: "phone:+9280012345", Valid: true, Kind: "toll_free", Region: "PK"}},
	{Phone, "021-111-222-333", ID{Value: "+9221111222333", Key: "phone:+9221111222333", Valid: true, Kind: "uan", Region: "PK"}},
	// Foreign numbers go through phonenumbers.
	{Phone, "+971 50 123 4567", ID{Value: "+971501234567", Key: "phone:+971501234567", Valid: true, Kind: "mobile", Region: "AE"}},
	{Phone, "+44 20 7946 0958", ID{Value: "+442079460958", Key: "phone:+442079460958", Valid: true, Kind: "landline", Region: "GB"}},
	{Phone, "wa.me/447400123456", ID{Value: "+447400123456", Key: "phone:+447400123456", Valid: true, Kind: "mobile", Region: "GB"}},
	// Invalid phones say why.
	{Phone, "0300-123456", bad("+92300123456", "a Pakistani mobile number has 11 digits written 03XX-XXXXXXX, this has 10")},
	{Phone, "0300-12345678", bad("+9230012345678", "a Pakistani mobile number has 11 digits written 03XX-XXXXXXX, this has 12")},
	{Phone, "0338-1234567", bad("+923381234567", "0338 is not a Pakistani mobile network prefix")},
	{Phone, "call me", bad("", "a phone number needs digits")},
	{Phone, "12", bad("+9212", "too few digits for a phone number in Pakistan")},
	{Phone, "+999 1234567", bad("+9991234567", "the country calling code is not one in use")},

	// CNICs.
	{CNIC, "35202-1234567-1", ID{Value: "35202-1234567-1", Key: "cnic:35202-1234567-1", Valid: true, Region: "Punjab"}},
	{CNIC, "3520212345671", ID{Value: "35202-1234567-1", Key: "cnic:35202-1234567-1", Valid: true, Region: "Punjab"}},
	{CNIC, "42101 1234567 2", ID{Value: "42101-1234567-2", Key: "cnic:42101-1234567-2", Valid: true, Region: "Sindh"}},
	{CNIC, "۶۱۱۰۱-۱۲۳۴۵۶۷-۱", ID{Value: "61101-1234567-1", Key: "cnic:61101-1234567-1", Valid: true, Region: "Islamabad"}},
	{CNIC, "82203-1234567-3", ID{Value: "82203-1234567-3", Key: "cnic:82203-1234567-3", Valid: true, Region: "Azad Jammu and Kashmir"}},
	{CNIC, "35202-1234567", bad("352021234567", "a CNIC has 13 digits, this has 12")},
	{CNIC, "3520-21234567-1", bad("3520212345671", "a CNIC is written as 13 digits or 5-7-1 (12345-1234567-1)")},
	{CNIC, "05202-1234567-1", bad("0520212345671", "a CNIC starts with a province digit from 1 to 8")},
	{CNIC, "95202-1234567-1", bad("9520212345671", "a CNIC starts with a province digit from 1 to 8")},
	{CNIC, "11111-1111111-1", bad("1111111111111", "a CNIC is not one digit repeated")},
	{CNIC, "30000-1234567-1", bad("3000012345671", "the first five digits of a CNIC name a locality and cannot end in 0000")},
	{CNIC, "35202-123456A-1", bad("35202-123456A-1", "a CNIC has only digits and dashes")},

	// IBANs.
	{IBAN, "PK36SCBL0000001123456702", ID{Value: "PK36SCBL0000001123456702", Key: "iban:PK36SCBL0000001123456702", Valid: true, Region: "PK", Bank: "SCBL"}},
	{IBAN, "pk24 mucb 0646 6099 7100 0177", ID{Value: "PK24MUCB0646609971000177", Key: "iban:PK24MUCB0646609971000177", Valid: true, Region: "PK", Bank: "MUCB"}},
	{IBAN, "IBAN: PK24-MUCB-0646-6099-7100-0177", ID{Value: "PK24MUCB0646609971000177", Key: "iban:PK24MUCB0646609971000177", Valid: true, Region: "PK", Bank: "MUCB"}},
	{IBAN, "GB82 WEST 1234 5698 7654 32", ID{Value: "GB82WEST12345698765432", Key: "iban:GB82WEST12345698765432", Valid: true, Region: "GB"}},
	{IBAN, "AE07 0331 2345 6789 0123 456", ID{Value: "AE070331234567890123456", Key: "iban:AE070331234567890123456", Valid: true, Region: "AE"}},
	{IBAN, "PK36SCBL0000001123456703", bad("PK36SCBL0000001123456703", "the IBAN check digits do not match; a character is probably mistyped")},
	{IBAN, "PK36SCBL000000112345670", bad("PK36SCBL000000112345670", "an IBAN from PK has 24 characters, this has 23")},
	{IBAN, "PK3612340000001123456702", bad("PK3612340000001123456702", "a Pakistani IBAN has a four-letter bank code after the check digits")},
	{IBAN, "1234", bad("1234", "an IBAN starts with a two-letter country code and two check digits")},

	// Bank accounts.
	{BankAccount, "HBL 1234-5678901234", ID{Value: "HABB:12345678901234", Key: "bank_account:HABB:12345678901234", Valid: true, Bank: "HABB", Region: "PK"}},
	{BankAccount, "HABB:12345678901234", ID{Value: "HABB:12345678901234", Key: "bank_account:HABB:12345678901234", Valid: true, Bank: "HABB", Region: "PK"}},
	{BankAccount, "Meezan Bank A/C # 0101-0123456789", ID{Value: "MEZN:01010123456789", Key: "bank_account:MEZN:01010123456789", Valid: true, Bank: "MEZN", Region: "PK"}},
	{BankAccount, "bank al habib account no. 1234 0081 002345 01 1", ID{Value: "BAHL:12340081002345011", Key: "bank_account:BAHL:12340081002345011", Valid: true, Bank: "BAHL", Region: "PK"}},
	{BankAccount, "0010012345678 (UBL)", ID{Value: "UNIL:0010012345678", Key: "bank_account:UNIL:0010012345678", Valid: true, Bank: "UNIL", Region: "PK"}},
	{BankAccount, "12345678901234", bad("12345678901234", "name the bank and the account number, e.g. HBL 1234-5678901234")},
	{BankAccount, "HBL 1234", bad("1234", "an account number has 6 to 24 digits, this has 4")},
	{BankAccount, "PK36SCBL0000001123456702", bad("PK36SCBL0000001123456702", "this is an IBAN; enter it as an IBAN")},

	// Wallets.
	{Wallet, "JazzCash 0300-1234567", ID{Value: "jazzcash:+923001234567", Key: "wallet:jazzcash:+923001234567", Valid: true, Provider: "jazzcash", Region: "PK"}},
	{Wallet, "jazz cash account no: 03001234567", ID{Value: "jazzcash:+923001234567", Key: "wallet:jazzcash:+923001234567", Valid: true, Provider: "jazzcash", Region: "PK"}},
	{Wallet, "Easypaisa +92 345 1234567", ID{Value: "easypaisa:+923451234567", Key: "wallet:easypaisa:+923451234567", Valid: true, Provider: "easypaisa", Region: "PK"}},
	{Wallet, "03451234567 (Easypaisa)", ID{Value: "easypaisa:+923451234567", Key: "wallet:easypaisa:+923451234567", Valid: true, Provider: "easypaisa", Region: "PK"}},
	{Wallet, "ایزی پیسہ ۰۳۴۵۱۲۳۴۵۶۷", ID{Value: "easypaisa:+923451234567", Key: "wallet:easypaisa:+923451234567", Valid: true, Provider: "easypaisa", Region: "PK"}},
	{Wallet, "sadapay:+923001234567", ID{Value: "sadapay:+923001234567", Key: "wallet:sadapay:+923001234567", Valid: true, Provider: "sadapay", Region: "PK"}},
	{Wallet, "0300-1234567", bad("0300-1234567", "name the wallet provider (JazzCash, Easypaisa, SadaPay, NayaPay, …) with the number")},
	{Wallet, "JazzCash", bad("JazzCash", "give the wallet's phone number after its provider, e.g. JazzCash 0300-1234567")},
	{Wallet, "JazzCash 042-35761234", bad("jazzcash:+924235761234", "wallets are opened on mobile numbers, and this is a landline number")},
	{Wallet, "NayaPay 0300-12345", bad("nayapay:+9230012345", "the wallet's phone number is not valid: a Pakistani mobile number has 11 digits written 03XX-XXXXXXX, this has 9")},

	// Crypto.
	{Crypto, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", with(valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "crypto:btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), func(i *ID) { i.Chain = "btc" })},
	{Crypto, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", with(valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "crypto:btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"), func(i *ID) { i.Chain = "btc" })},
	{Crypto, "bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=0.5", with(valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "crypto:btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), func(i *ID) { i.Chain = "btc" })},
	{Crypto, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", with(valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "crypto:btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), func(i *ID) { i.Chain = "btc" })},
	{Crypto, "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", with(valid("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "crypto:btc:bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"), func(i *ID) { i.Chain = "btc" })},
	{Crypto, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", with(valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), func(i *ID) { i.Chain = "eth" })},
	{Crypto, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", with(valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), func(i *ID) { i.Chain = "eth" })},
	{Crypto, "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", with(valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), func(i *ID) { i.Chain = "eth" })},
	{Crypto, "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", with(valid("TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", "crypto:tron:TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"), func(i *ID) { i.Chain = "tron" })},
	{Crypto, "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", with(valid("7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", "crypto:unknown:7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"), func(i *ID) { i.Chain = "unknown" })},
	{Crypto, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", bad("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "the Bitcoin address checksum does not match; a character is probably mistyped")},
	{Crypto, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", bad("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "the Ethereum address checksum (EIP-55 capitals) does not match; a character is probably mistyped")},
	{Crypto, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", bad("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "an Ethereum address is 0x and 40 hex digits, this has 38")},
	{Crypto, "TJRabPrwbZy45sbavfcjinPJC18kjpRTv9", bad("TJRabPrwbZy45sbavfcjinPJC18kjpRTv9", "the TRON address checksum does not match; a character is probably mistyped")},
	{Crypto, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", bad("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "the Bitcoin address checksum does not match; a character is probably mistyped")},
	{Crypto, "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", bad("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "a bech32 address is all lower case or all upper case, not mixed")},
	// BIP-350: a version 1 program in bech32 (not bech32m) is refused.
	{Crypto, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", bad("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "a version 1+ segwit address must use bech32m (BIP-350), not bech32")},
	{Crypto, "hello", bad("hello", "a crypto address has 20 to 128 characters")},
	{Crypto, "abcdefghijklmnopqrstuvwxyz", bad("abcdefghijklmnopqrstuvwxyz", "a crypto address mixes letters and digits")},

	// URLs.
	{URL, "https://www.Example.COM:443/a/b?z=1&a=2#frag", ID{Value: "https://www.example.com/a/b?z=1&a=2#frag", Key: "url:example.com/a/b?a=2&z=1", Valid: true, Host: "www.example.com", RegistrableDomain: "example.com"}},
	{URL, "http://example.com", ID{Value: "http://example.com/", Key: "url:example.com/", Valid: true, Host: "example.com", RegistrableDomain: "example.com"}},
	{URL, "bit.ly/3xYz9", ID{Value: "https://bit.ly/3xYz9", Key: "url:bit.ly/3xYz9", Valid: true, Kind: "shortener", Host: "bit.ly", RegistrableDomain: "bit.ly"}},
	{URL, "www.bisp-gov.pk/register", ID{Value: "https://www.bisp-gov.pk/register", Key: "url:bisp-gov.pk/register", Valid: true, Host: "www.bisp-gov.pk", RegistrableDomain: "bisp-gov.pk"}},
	{URL, "http://login.hbl-secure.com.pk:8080/x", ID{Value: "http://login.hbl-secure.com.pk:8080/x", Key: "url:login.hbl-secure.com.pk:8080/x", Valid: true, Host: "login.hbl-secure.com.pk", RegistrableDomain: "hbl-secure.com.pk"}},
	{URL, "https://پاکستان.pk/انعام", ID{Value: "https://xn--mgbai9azgqp6j.pk/%D8%A7%D9%86%D8%B9%D8%A7%D9%85", Key: "url:xn--mgbai9azgqp6j.pk/%D8%A7%D9%86%D8%B9%D8%A7%D9%85", Valid: true, Host: "xn--mgbai9azgqp6j.pk", RegistrableDomain: "xn--mgbai9azgqp6j.pk"}},
	{URL, "hxxps://evil-site[.]xyz/login", ID{Value: "https://evil-site.xyz/login", Key: "url:evil-site.xyz/login", Valid: true, Host: "evil-site.xyz", RegistrableDomain: "evil-site.xyz"}},
	{URL, "https://www.hbl.com@evil.example.com/", ID{Value: "https://evil.example.com/", Key: "url:evil.example.com/", Valid: true, Host: "evil.example.com", RegistrableDomain: "example.com"}},
	{URL, "http://192.168.1.10/admin", ID{Value: "http://192.168.1.10/admin", Key: "url:192.168.1.10/admin", Valid: true, Host: "192.168.1.10"}},
	{URL, "https://x.com/a%7eb%2fc", ID{Value: "https://x.com/a~b%2Fc", Key: "url:x.com/a~b%2Fc", Valid: true, Host: "x.com", RegistrableDomain: "x.com"}},
	{URL, "javascript:alert(1)", bad("javascript:alert(1)", "not a web link")},
	{URL, "ftp://example.com/file", bad("ftp://example.com/file", "only web links (http and https) are accepted, not \"ftp\"")},
	{URL, "https://example.notatld/", bad("https://example.notatld/", ".notatld is not a top-level domain")},
	{URL, "https://exa_mple.com/", bad("https://exa_mple.com/", "a host name has only letters, digits, hyphens and dots, not \"_\"")},
	{URL, "https://example.com:99999/", bad("https://example.com:99999/", "the port in the link is out of range")},
	{URL, "https:///path", bad("https:///path", "a link needs a host name")},

	// Domains.
	{Domain, "JazzCash-Rewards.PK", ID{Value: "jazzcash-rewards.pk", Key: "domain:jazzcash-rewards.pk", Valid: true, Host: "jazzcash-rewards.pk", RegistrableDomain: "jazzcash-rewards.pk"}},
	{Domain, "www.example.com.pk", ID{Value: "www.example.com.pk", Key: "domain:example.com.pk", Valid: true, Host: "www.example.com.pk", RegistrableDomain: "example.com.pk"}},
	{Domain, "https://sub.example.org/path", ID{Value: "sub.example.org", Key: "domain:sub.example.org", Valid: true, Host: "sub.example.org", RegistrableDomain: "example.org"}},
	{Domain, "com.pk", bad("com.pk", "\"com.pk\" is a public suffix, not a site")},
	{Domain, "localhost", bad("localhost", "a host name needs a dot and a top-level domain")},
	{Domain, "10.0.0.1", bad("10.0.0.1", "this is an IP address; enter it as an IP address")},

	// E-mail.
	{Email, "Ali.Khan@Gmail.com", ID{Value: "ali.khan@gmail.com", Key: "email:ali.khan@gmail.com", Valid: true, Host: "gmail.com", RegistrableDomain: "gmail.com"}},
	{Email, "mailto:support+refund@hbl-help.com.pk", ID{Value: "support+refund@hbl-help.com.pk", Key: "email:support+refund@hbl-help.com.pk", Valid: true, Host: "hbl-help.com.pk", RegistrableDomain: "hbl-help.com.pk"}},
	{Email, "ali.khan.gmail.com", bad("ali.khan.gmail.com", "an e-mail address needs an @")},
	{Email, "ali..khan@gmail.com", bad("ali..khan@gmail.com", "the part before @ cannot start or end with a dot or have two dots together")},
	{Email, "ali@gmail", bad("ali@gmail", "a host name needs a dot and a top-level domain")},

	// Apps.
	{App, "com.fastcash.loanpk", valid("com.fastcash.loanpk", "app:com.fastcash.loanpk")},
	{App, "https://play.google.com/store/apps/details?id=com.easy.Loan_App&hl=en", valid("com.easy.Loan_App", "app:com.easy.Loan_App")},
	{App, "market://details?id=pk.cash.now", valid("pk.cash.now", "app:pk.cash.now")},
	{App, "loanapp", bad("loanapp", "an app id has at least two parts, such as com.example")},
	{App, "com.1loan.app", bad("com.1loan.app", "each part of an app id starts with a letter")},
	{App, "com.loan-app.pk", bad("com.loan-app.pk", "an app id has only letters, digits, underscores and dots")},
	{App, "https://example.com/app", bad("https://example.com/app", "not a Play Store link or an app id such as com.example.app")},

	// Social handles.
	{Social, "facebook.com/ali.khan.5", with(valid("facebook:ali.khan.5", "social:facebook:ali.khan.5"), func(i *ID) { i.Platform = "facebook" })},
	{Social, "https://www.facebook.com/profile.php?id=100012345678901", with(valid("facebook:100012345678901", "social:facebook:100012345678901"), func(i *ID) { i.Platform = "facebook" })},
	{Social, "https://instagram.com/Ali.Trader/", with(valid("instagram:ali.trader", "social:instagram:ali.trader"), func(i *ID) { i.Platform = "instagram" })},
	{Social, "t.me/FastLoans_PK", with(valid("telegram:fastloans_pk", "social:telegram:fastloans_pk"), func(i *ID) { i.Platform = "telegram" })},
	{Social, "https://www.tiktok.com/@crypto.guru/video/123", with(valid("tiktok:crypto.guru", "social:tiktok:crypto.guru"), func(i *ID) { i.Platform = "tiktok" })},
	{Social, "https://twitter.com/PTA_News", with(valid("x:pta_news", "social:x:pta_news"), func(i *ID) { i.Platform = "x" })},
	{Social, "youtube.com/@TradeWithAli", with(valid("youtube:@tradewithali", "social:youtube:@tradewithali"), func(i *ID) { i.Platform = "youtube" })},
	{Social, "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuV", with(valid("youtube:channel/UCabcdefghijklmnopqrstuV", "social:youtube:channel/ucabcdefghijklmnopqrstuv"), func(i *ID) { i.Platform = "youtube" })},
	{Social, "@ali.trader on Instagram", with(valid("instagram:ali.trader", "social:instagram:ali.trader"), func(i *ID) { i.Platform = "instagram" })},
	{Social, "Insta ID: @Ali.Trader", with(valid("instagram:ali.trader", "social:instagram:ali.trader"), func(i *ID) { i.Platform = "instagram" })},
	{Social, "telegram pe @fast_earning", with(valid("telegram:fast_earning", "social:telegram:fast_earning"), func(i *ID) { i.Platform = "telegram" })},
	{Social, "instagram:ali.trader", with(valid("instagram:ali.trader", "social:instagram:ali.trader"), func(i *ID) { i.Platform = "instagram" })},
	{Social, "@ali.trader", bad("@ali.trader", "name the platform with the handle, e.g. @name on Instagram")},
	{Social, "https://www.facebook.com/groups/123456", bad("https://www.facebook.com/groups/123456", "the link goes to a facebook post, group or page, not to a profile")},
	{Social, "t.me/ab", bad("t.me/ab", "a Telegram username has 4 to 32 letters, digits and underscores, starting with a letter")},
	{Social, "x:this_handle_is_far_too_long", bad("x:this_handle_is_far_too_long", "an X (Twitter) handle has 1 to 15 letters, digits and underscores")},

	// IMEI.
	{IMEI, "356938035643809", valid("356938035643809", "imei:356938035643809")},
	{IMEI, "35-209900-176148-1", valid("352099001761481", "imei:352099001761481")},
	{IMEI, "IMEI: 35 693803 564380 9", valid("356938035643809", "imei:356938035643809")},
	{IMEI, "356938035643808", bad("356938035643808", "the IMEI check digit does not match; a digit is probably mistyped")},
	{IMEI, "35693803564380", bad("35693803564380", "an IMEI has 15 digits; this looks like one without its last (check) digit")},
	{IMEI, "3569380356438091", bad("3569380356438091", "this has 16 digits, an IMEISV; give the 15-digit IMEI shown by *#06#")},
	{IMEI, "000000000000000", bad("000000000000000", "an IMEI is not one digit repeated")},

	// IP addresses.
	{IP, "203.0.113.7", with(valid("203.0.113.7", "ip:203.0.113.7"), func(i *ID) { i.Kind = "public" })},
	{IP, "192.168.1.1", with(valid("192.168.1.1", "ip:192.168.1.1"), func(i *ID) { i.Kind = "private" })},
	{IP, "2001:0DB8:0000::0001", with(valid("2001:db8::1", "ip:2001:db8::1"), func(i *ID) { i.Kind = "public" })},
	{IP, "[2400:adc0::1]:443", with(valid("2400:adc0::1", "ip:2400:adc0::1"), func(i *ID) { i.Kind = "public" })},
	{IP, "::ffff:39.32.1.5", with(valid("39.32.1.5", "ip:39.32.1.5"), func(i *ID) { i.Kind = "public" })},
	{IP, "127.0.0.1:8080", with(valid("127.0.0.1", "ip:127.0.0.1"), func(i *ID) { i.Kind = "loopback" })},
	{IP, "256.1.1.1", bad("256.1.1.1", "not an IPv4 or IPv6 address")},
	{IP, "fe80::1%eth0", bad("fe80::1%eth0", "an IP address with a zone (%…) only means something on one machine")},

	// An unknown type.
	{Type("fax"), "123", bad("", "unknown identifier type \"fax\"")},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		want := c.want
		want.Type, want.Raw = c.t, c.raw
		got := Parse(c.t, c.raw)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Parse(%s, %q) mismatch (-want +got):\n%s", c.t, c.raw, diff)
		}
	}
}

// TestRoundTrip checks that canonical values are stable: parsing a valid
// identifier's Value gives the same Value and Key.
func TestRoundTrip(t *testing.T) {
	for _, c := range parseCases {
		id := Parse(c.t, c.raw)
		if !id.Valid {
			continue
		}
		again := Parse(c.t, id.Value)
		if !again.Valid || again.Value != id.Value || again.Key != id.Key {
			t.Errorf("Parse(%s, %q) = %q %q, but parsing that value gives %q %q valid=%v %s",
				c.t, c.raw, id.Value, id.Key, again.Value, again.Key, again.Valid, again.Reason)
		}
	}
}

// TestKeysArePrefixedByType guards the promise that keys of different
// types cannot collide.
func TestKeysArePrefixedByType(t *testing.T) {
	for _, c := range parseCases {
		id := Parse(c.t, c.raw)
		if id.Valid && (len(id.Key) <= len(c.t)+1 || id.Key[:len(c.t)+1] != string(c.t)+":") {
			t.Errorf("Parse(%s, %q).Key = %q, not prefixed by its type", c.t, c.raw, id.Key)
		}
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		raw  string
		want Type
		key  string
	}{
		{"0300-1234567", Phone, "phone:+923001234567"},
		{"+971 50 123 4567", Phone, "phone:+971501234567"},
		// A platform's own host, or a page of its site, is not a handle.
		{"facebook.com", Domain, "domain:facebook.com"},
		{"fb.com", Domain, "domain:fb.com"},
		{"https://facebook.com/index.html", URL, "url:facebook.com/index.html"},
		{"facebook.com/ali.trader", Social, "social:facebook:ali.trader"},
		{"wa.me/923001234567", Phone, "phone:+923001234567"},
		{"tel:03001234567", Phone, "phone:+923001234567"},
		{"35202-1234567-1", CNIC, "cnic:35202-1234567-1"},
		{"3520212345671", CNIC, "cnic:35202-1234567-1"},
		{"00923001234567", Phone, "phone:+923001234567"},
		{"PK36 SCBL 0000 0011 2345 6702", IBAN, "iban:PK36SCBL0000001123456702"},
		{"HBL 1234-5678901234", BankAccount, "bank_account:HABB:12345678901234"},
		{"JazzCash 0300-1234567", Wallet, "wallet:jazzcash:+923001234567"},
		{"jazzcash:+923001234567", Wallet, "wallet:jazzcash:+923001234567"},
		{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", Crypto, "crypto:btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Crypto, "crypto:eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", Crypto, "crypto:tron:TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"},
		// Two letters then two digits, as an IBAN starts.
		{"TM13etwZvPpTr1enkN8PgrkKzBbA7dkzwP", Crypto, "crypto:tron:TM13etwZvPpTr1enkN8PgrkKzBbA7dkzwP"},
		{"https://bit.ly/abc", URL, "url:bit.ly/abc"},
		{"www.example.pk/x", URL, "url:example.pk/x"},
		{"jazzcash-rewards.pk", Domain, "domain:jazzcash-rewards.pk"},
		{"ali@gmail.com", Email, "email:ali@gmail.com"},
		{"com.fastcash.loanpk", App, "app:com.fastcash.loanpk"},
		{"https://play.google.com/store/apps/details?id=com.x.y", App, "app:com.x.y"},
		{"https://facebook.com/ali.khan.5", Social, "social:facebook:ali.khan.5"},
		{"@ali.trader on Instagram", Social, "social:instagram:ali.trader"},
		{"356938035643809", IMEI, "imei:356938035643809"},
		{"39.32.1.5", IP, "ip:39.32.1.5"},
		{"2400:adc0::1", IP, "ip:2400:adc0::1"},
		{"@someone", Social, ""},
		{"hello world", "", ""},
		{"", "", ""},
	}
	for _, c := range cases {
		got := Detect(c.raw)
		if got.Type != c.want || got.Key != c.key {
			t.Errorf("Detect(%q) = %s %q (%s), want %s %q", c.raw, got.Type, got.Key, got.Reason, c.want, c.key)
		}
		if got.Raw != c.raw {
			t.Errorf("Detect(%q).Raw = %q", c.raw, got.Raw)
		}
		if !got.Valid && got.Reason == "" {
			t.Errorf("Detect(%q) is invalid without a reason", c.raw)
		}
	}
}

func TestParseType(t *testing.T) {
	for _, ty := range Types {
		if got, ok := ParseType(string(ty)); !ok || got != ty {
			t.Errorf("ParseType(%q) = %q, %v", ty, got, ok)
		}
	}
	if _, ok := ParseType("fax"); ok {
		t.Error("ParseType(fax) succeeded")
	}
}

func TestBankName(t *testing.T) {
	if got := BankName("HABB"); got != "Habib Bank Limited" {
		t.Errorf("BankName(HABB) = %q", got)
	}
	if got := BankName("ZZZZ"); got != "" {
		t.Errorf("BankName(ZZZZ) = %q", got)
	}
}
