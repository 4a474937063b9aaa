package identifier

// walletProvider is one mobile-wallet brand and the ways it is written.
type walletProvider struct {
	name    string
	aliases []string // lower case; Urdu spellings as typed on Urdu keyboards
}

var walletProviders = []walletProvider{
	{"jazzcash", []string{"jazzcash", "jazz cash", "jazz-cash", "jaz cash", "jazcash", "mobicash", "جاز کیش", "جازکیش"}},
	{"easypaisa", []string{"easypaisa", "easy paisa", "easy-paisa", "easypesa", "easy pesa", "easypaise", "telenor easypaisa", "ایزی پیسہ", "ایزی پیسے", "ایزی پیسا"}},
	{"sadapay", []string{"sadapay", "sada pay", "سادہ پے"}},
	{"nayapay", []string{"nayapay", "naya pay", "نیا پے"}},
	{"upaisa", []string{"upaisa", "u paisa", "u-paisa", "یو پیسہ"}},
	{"konnect", []string{"hbl konnect", "konnect"}},
	{"zindigi", []string{"zindigi"}},
	{"simsim", []string{"simsim", "sim sim"}},
}

// WalletProviders lists the mobile-wallet providers this package knows, by
// the names used in values and keys.
func WalletProviders() []string {
	out := make([]string, len(walletProviders))
	for i, p := range walletProviders {
		out[i] = p.name
	}
	return out
}

// walletAt returns the provider whose name starts s and the length of that
// name. Bare provider keys ("jazzcash:") match too.
func walletAt(s string) (string, int) { return walletNames.at(s) }

// parseWallet reads a wallet account: the provider and the phone number the
// account is opened on, as "JazzCash 0300-1234567", "Easypaisa account no:
// 03451234567", "03001234567 (JazzCash)" or the canonical
// "jazzcash:+923001234567". The number must be a valid mobile number,
// because Pakistani wallets are opened only on mobile numbers; foreign
// numbers are accepted as they are (SadaPay and NayaPay serve people abroad
// through their Pakistani numbers, but complainants sometimes give the
// fraudster's foreign one).
func parseWallet(s string) ID {
	provider, num, ok := splitLabelled(s, walletAt)
	if !ok {
		if _, n := walletAt(s); n == 0 {
			return invalid(s, "name the wallet provider (JazzCash, Easypaisa, SadaPay, NayaPay, …) with the number")
		}
		return invalid(s, "give the wallet's phone number after its provider, e.g. JazzCash 0300-1234567")
	}
	p := parsePhone(num)
	if !p.Valid {
		return invalid(provider+":"+p.Value, "the wallet's phone number is not valid: "+p.Reason)
	}
	if p.Region == defaultRegion && p.Kind != "mobile" {
		return invalid(provider+":"+p.Value, "wallets are opened on mobile numbers, and this is a "+p.Kind+" number")
	}
	key := "wallet:" + provider + ":" + p.Value
	return ID{Value: key[len("wallet:"):], Key: key, Valid: true, Provider: provider, Region: p.Region}
}
