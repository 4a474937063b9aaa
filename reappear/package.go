package reappear

import (
	"strings"
)

// packageSuffixes are last parts of a package id that change between
// uploads of one app without changing whose app it is.
// Package ids are lower-case ASCII, so these sets hold the words as
// written, not folded.
var (
	packageSuffixes = setOf(fillerWords + ` release prod production debug beta main client user customer v`)
	packageTLDs     = setOf(tldSegments)
)

// PackageStem returns the part of an Android package id that stays when an
// app is re-uploaded under a changed suffix: trailing parts that are filler
// ("app", "pk", "android", "pro", "v2"), version numbers or such a part
// with digits ("app2") are dropped, keeping at least two parts.
// "com.easyloan.app2" and "com.easyloan.pk" both have the stem
// "com.easyloan". The id is lower-cased; anything that is not an id comes
// back trimmed and lower-cased.
func PackageStem(id string) string {
	segs := packageSegments(id)
	for len(segs) > 2 && isPackageSuffix(segs[len(segs)-1]) {
		segs = segs[:len(segs)-1]
	}
	return strings.Join(segs, ".")
}

func packageSegments(id string) []string {
	id = strings.ToLower(strings.TrimSpace(truncate(id, maxNameBytes)))
	var segs []string
	for _, s := range strings.Split(id, ".") {
		if s = strings.TrimSpace(s); s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

func isPackageSuffix(seg string) bool {
	t := strings.TrimRight(seg, "0123456789_")
	if t == "" {
		return true
	}
	return packageSuffixes[t]
}

// packageCompact is a stem without its leading reversed top-level domains
// and without dots, folded: "com.easy.loan" and "com.easyloan" are both
// "easyloan".
func packageCompact(stem string) string {
	segs := strings.Split(stem, ".")
	for len(segs) > 1 && packageTLDs[segs[0]] {
		segs = segs[1:]
	}
	return fold(strings.Join(segs, " "))
}

// packageNamespace returns the owner part of an id ("com.khushhaal" for
// "com.khushhaal.loan") and its folded label ("khushhaal"), or "" when
// the id has nothing after its namespace.
func packageNamespace(id string) (ns, label string) {
	segs := packageSegments(id)
	i := 0
	for i < len(segs)-1 && packageTLDs[segs[i]] {
		i++
	}
	if i >= len(segs)-1 {
		return "", ""
	}
	return strings.Join(segs[:i+1], "."), fold(segs[i])
}
