package reappear

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// genericWords are the words that lending, payment and investment apps,
// sites and their developers share by the hundred: a name made only of them
// ("Easy Loan", "Cash Pro", "Gold Invest") says little about who is behind
// it. English, Roman Urdu and Urdu.
const genericWords = `
loan loans lone lend lender lenders lending borrow credit kredit credits fund funds funding finance
financial fin fintech cash kash pay payment payments paisa pesa paise money monie rupee rupees rupay rupaya rupaye
rs pkr wallet bank banking qarz qarza qarzay karz karza udhar udhaar udhaaar advance salary emi
easy eazy ezy easi quick quik fast instant rapid speed speedy express smart mini micro
mr my go get your the pk pak pakistan pakistani online app apps digital best top super daily
gold golden star king plus pro max now hub point box hand help friend dost sahara asaan aasan asan
sasta jaldi fori foran fauri zaroorat invest investment investments investor profit profits earn earning
earnings income trade trader traders trading coin coins crypto bit bitcoin forex fx global capital
asset assets world rich dream safe secure trust true sure real one first home life cloud
tech soft net web link zone center centre market mart shop store bazar bazaar club group union circle lucky
win winner bonus reward rewards gift prize budget saving savings save deposit pocket wise plan
green blue red sky sun light power prime elite royal care service services solution solutions line
direct access flex flexi up new ok mobile phone calculator calc tool tools offer offers
personal business urgent need needs mela sahulat aap hamara apna
customer customers support helpline desk agent officer manager recovery department admin
mining mine miner miners halal islamic amanat bachat apply scheme rozana
قرض قرضہ فوری پیسہ پیسے لون کیش آسان اسان جلدی رقم ادھار
`

// fillerWords are added to a name, domain or package to dodge a takedown
// without changing what a reader sees as the name: "EasyLoan PK",
// "easyloan-online.com", "com.easyloan.app2". They are dropped from the
// ends of a name before names are compared.
const fillerWords = `
app apps apk android pk pak pakistan online official new pro plus lite free mobile
web site live now download login install latest update version com net org co
`

// fillerPrefixes are glued to the front of domain labels ("geteasyloan",
// "myeasyloan").
const fillerPrefixes = `get my the go try join official www`

// developerWords are the words developer accounts share: legal forms and
// the usual trade words. A developer named only with these and generic
// words ("Finance Apps", "Dev Team") identifies nobody.
const developerWords = `
apps app dev devs developer developers studio studios lab labs team soft software tech techs
technology technologies solutions solution systems system digital media mobile network networks
innovations innovation ventures group global international enterprises enterprise services
infotech it web games game creative creations works hub fintech finance financial credit capital
official and of pk pvt private ltd limited llc inc co company corp corporation smc plc
gmbh bv holdings consulting consultants info contact mail email hr sales noreply no reply
`

// legalForms are dropped from developer names before comparing them:
// "Xiamen Yinuo Network Technology Co., Ltd." and "… Technology" are one.
const legalForms = `pvt private ltd limited llc inc co company corp corporation smc plc gmbh bv the`

// personNames are given names and surnames common in Pakistan: individual
// developer accounts named "Muhammad Ali" are many different people.
const personNames = `
muhammad mohammad muhammed mohammed mohd ali ahmed ahmad khan hassan hasan hussain husain bilal
usman osman umar omar abdul abdullah rehman rahman shah malik iqbal akhtar aslam butt raza javed
javaid sheikh shaikh qureshi siddiqui chaudhry chaudhary awan zafar imran kamran faisal asif tariq
zahid saeed nadeem irfan hamza fatima ayesha aisha sana noor zain zeeshan adnan waqar waqas yasir
arslan haider abbas rizwan shahid naveed farhan fahad salman junaid sajid majid khalid rashid
naeem saleem shahzad mirza baig jutt rana syed sayed mian hafiz usama talha danish asad ammar
`

// platformNamespaces are package namespaces shared by many unrelated apps:
// the big publishers (whose namespace impostors borrow) and the app
// builders and templates that put every user under one namespace.
const platformNamespaces = `
google android facebook meta instagram whatsapp microsoft samsung sec apple amazon huawei xiaomi
miui oppo vivo transsion tencent alibaba example app apps mobile kodular thunkable appybuilder
niotron appinventor ionic ionicframework phonegap cordova flutter unity unity3d appsgeyser
`

// tldSegments are the first segments of reverse-domain package ids.
const tldSegments = `com net org io co pk app in me info biz xyz cn vn ng id uk us de ru br mobi edu gov ai dev`

type wordSet struct {
	words  map[string]bool
	maxLen int // longest word, in runes
}

func newWordSet(lists ...string) wordSet {
	ws := wordSet{words: map[string]bool{}}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			f := fold(w)
			if f == "" {
				continue
			}
			ws.words[f] = true
			ws.maxLen = max(ws.maxLen, utf8.RuneCountInString(f))
		}
	}
	return ws
}

var (
	genericSet   = newWordSet(genericWords, fillerWords)
	fillerSet    = newWordSet(fillerWords)
	prefixSet    = newWordSet(fillerPrefixes)
	developerSet = newWordSet(genericWords, fillerWords, developerWords, personNames)
	legalSet     = newWordSet(legalForms)
	platformNS   = newWordSet(platformNamespaces)

	// foldedPrefixes are fillerPrefixes folded, longest first.
	foldedPrefixes = func() []string {
		var l []string
		for w := range prefixSet.words {
			l = append(l, w)
		}
		slices.SortFunc(l, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
		return l
	}()
)

// segments returns the fewest words of ws that s is made of, digits
// counting as words too, or 0 when s cannot be cut into such words.
func (ws wordSet) segments(s string) int {
	if s == "" || len(s) > 256 {
		return 0
	}
	// Work on byte offsets of rune starts, so that looking a piece up
	// in the map takes no allocation.
	var starts [257]int
	n := 0
	for i := range s {
		starts[n] = i
		n++
	}
	starts[n] = len(s)
	const none = 1 << 30
	var best [257]int
	for i := 1; i <= n; i++ {
		best[i] = none
	}
	for i := 0; i < n; i++ {
		if best[i] == none {
			continue
		}
		// A run of digits is one word ("Loan24").
		j := i
		for j < n && s[starts[j]] >= '0' && s[starts[j]] <= '9' {
			j++
		}
		if j > i {
			best[j] = min(best[j], best[i]+1)
		}
		for l := 1; l <= ws.maxLen && i+l <= n; l++ {
			if ws.words[s[starts[i]:starts[i+l]]] {
				best[i+l] = min(best[i+l], best[i]+1)
			}
		}
	}
	if best[n] == none {
		return 0
	}
	return best[n]
}

// generic reports how generic a folded string is: 0 when it holds a
// distinctive part, 1 when it is one generic word ("cash"), 2 when it is
// several ("easyloan").
func (ws wordSet) generic(s string) int {
	n := ws.segments(s)
	if n > 2 {
		n = 2
	}
	return n
}

// isDigits reports whether s is a number.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
