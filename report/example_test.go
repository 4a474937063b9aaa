package report_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/greyline/greyline/report"
)

func ExampleBuild() {
	in := report.BriefingExample() // the caller loads these facts from storage
	in.City = "Islamabad"
	r, err := report.Build(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(r.PeriodLine())
	fmt.Println(r.Raids, "raids,", r.Arrests.Pakistani, "Pakistani and", r.Arrests.Foreign, "foreign arrests")
	b, _ := json.Marshal(r.ByCity)
	fmt.Println(string(b))
	for _, t := range r.Tables()[:3] {
		fmt.Println(t.Name)
	}
	// Output:
	// 1 January 2025 to 31 August 2025, Islamabad
	// 17 raids, 60 Pakistani and 111 foreign arrests
	// [{"city":"Islamabad","raids":17,"arrests_pakistani":60,"arrests_foreign":111,"accused_pakistani":72,"accused_foreign":112,"firs":14}]
	// totals
	// actions-by-city
	// accused-by-nationality
}
