package main

// The load test's figures, and the checks after the run.

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

func statusLine(st map[int]int) string {
	codes := slices.Sorted(maps.Keys(st))
	var b strings.Builder
	for _, c := range codes {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		name := strconv.Itoa(c)
		if c == 0 {
			name = "no-answer"
		}
		fmt.Fprintf(&b, "%s×%d", name, st[c])
	}
	return b.String()
}

func printLoad(out io.Writer, res *loadRunResult, cfg loadConfig, loadAfter string) {
	total := 0
	for _, k := range res.Kinds {
		total += k.Count
	}
	secs := res.Elapsed.Seconds()
	fmt.Fprintf(out, "\nresults: %d requests in %.1f s, %.0f requests/s; load average at the end: %s\n", total, secs, float64(total)/secs, loadAfter)
	fmt.Fprintf(out, "  %-62s %8s %8s %9s %9s  %s\n", "kind of request", "count", "req/s", "p50", "p99", "status codes")
	row := func(name string, n int, ds []time.Duration, st map[int]int) {
		slices.Sort(ds)
		fmt.Fprintf(out, "  %-62s %8d %8.1f %9s %9s  %s\n", name, n, float64(n)/secs, fmtDur(pct(ds, .5)), fmtDur(pct(ds, .99)), statusLine(st))
	}
	var groups []string
	byGroup := map[string][]*kindStats{}
	for _, k := range res.Kinds {
		if _, ok := byGroup[k.Group]; !ok {
			groups = append(groups, k.Group)
		}
		byGroup[k.Group] = append(byGroup[k.Group], k)
	}
	for _, g := range groups {
		fmt.Fprintf(out, "  %s:\n", g)
		for _, k := range byGroup[g] {
			row("  "+k.Name, k.Count, k.d, k.Status)
		}
	}
	fmt.Fprintf(out, "  by group:\n")
	var all []time.Duration
	allSt := map[int]int{}
	for _, g := range groups {
		var ds []time.Duration
		st := map[int]int{}
		n := 0
		for _, k := range byGroup[g] {
			ds = append(ds, k.d...)
			n += k.Count
			for c, m := range k.Status {
				st[c] += m
				allSt[c] += m
			}
		}
		all = append(all, ds...)
		row(fmt.Sprintf("  %s (%.1f%%)", g, 100*float64(n)/float64(max(1, total))), n, ds, st)
	}
	row("overall", total, all, allSt)
}

// checkLoad runs the checks and returns those that failed.
func checkLoad(ctx context.Context, env *loadEnv, tr *traffic, res *loadRunResult, out io.Writer) []string {
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	sample := func(list []string) {
		for _, s := range list {
			fmt.Fprintf(out, "    %s\n", s)
		}
	}

	// Answers.
	var n5, none, unexpected int
	var unexpectedKinds []string
	for _, k := range res.Kinds {
		for c, n := range k.Status {
			if c >= 500 {
				n5 += n
			}
			if c == 0 {
				none += n
			}
		}
		if k.Unexpected > 0 {
			unexpected += k.Unexpected
			unexpectedKinds = append(unexpectedKinds, fmt.Sprintf("%s (%s)", k.Name, statusLine(k.Status)))
		}
	}
	fmt.Fprintf(out, "  5xx answers: %d\n", n5)
	if n5 > 0 {
		fail("%d answers with a 5xx status", n5)
		sample(tr.serverErrs)
	}
	fmt.Fprintf(out, "  requests without an answer (connection errors, timeouts): %d\n", none)
	if none > 0 {
		fail("%d requests got no answer", none)
		sample(tr.transportErrs)
	}
	fmt.Fprintf(out, "  answers other than the expected ones (200, 201 or 303 as the kind has it; 409 for decisions; 302 for a network merged into another): %d\n", unexpected)
	if unexpected > 0 {
		fail("%d unexpected answers: %s", unexpected, strings.Join(unexpectedKinds, "; "))
	}

	// The server's log.
	lines, locked, logErrs, samples := env.log.counts()
	res.Checked.Locked, res.Checked.LogErrors = locked, logErrs
	fmt.Fprintf(out, "  server log: %d records; %d say the database was locked (database is locked, SQLITE_BUSY, SQLITE_LOCKED); %d at ERROR\n", lines, locked, logErrs)
	if locked > 0 {
		fail(`%d records in the server's log say the database was locked`, locked)
	}
	if logErrs > 0 {
		fail("%d records in the server's log at ERROR", logErrs)
	}
	sample(samples)
	if len(tr.violations) > 0 {
		fail("%d answers broke idempotency or lacked what they acknowledge", len(tr.violations))
		sample(tr.violations)
	}

	// Lost writes, counted in the database.
	if err := checkComplaints(ctx, env.db, tr, res, out, fail); err != nil {
		fail("counting complaints: %v", err)
	}
	if err := checkDecisions(ctx, env.db, tr, res, out, fail); err != nil {
		fail("counting decisions: %v", err)
	}
	n, problems, err := env.db.VerifyAudit(ctx)
	res.Checked.AuditEvents = n
	switch {
	case err != nil:
		fail("verifying the audit chain: %v", err)
	case len(problems) > 0:
		fail("the audit chain has %d problems, the first: %+v", len(problems), problems[0])
	default:
		fmt.Fprintf(out, "  audit chain: %d events, verified\n", n)
	}
	return fails
}

// query runs q (with ? placeholders) on the reader pool and hands each row
// to scan.
func query(ctx context.Context, db *sqlstore.DB, q string, scan func(func(...any) error) error, args ...any) error {
	if db.Engine() == sqlstore.Postgres {
		var b strings.Builder
		n := 0
		for _, c := range q {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		q = b.String()
	}
	_, rd := db.Pools()
	rows, err := rd.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// checkComplaints: every complaint acknowledged with 201 is stored exactly
// once under its Idempotency-Key, with its id and reference, its
// "received" event, its identifiers and its audit event; every public
// form's reference is stored.
func checkComplaints(ctx context.Context, db *sqlstore.DB, tr *traffic, res *loadRunResult, out io.Writer, fail func(string, ...any)) error {
	type row struct {
		id  int64
		ref string
	}
	stored := map[string][]row{}
	if err := query(ctx, db, "SELECT id, reference, idempotency_key FROM complaints WHERE idempotency_key LIKE ?", func(scan func(...any) error) error {
		var r row
		var key string
		if err := scan(&r.id, &r.ref, &key); err != nil {
			return err
		}
		stored[key] = append(stored[key], r)
		return nil
	}, tr.fx.runID+"-%"); err != nil {
		return err
	}
	received, linked, audited := map[int64]bool{}, map[int64]bool{}, map[string]bool{}
	if err := query(ctx, db, "SELECT complaint_id FROM complaint_events WHERE to_status = 'received'", func(scan func(...any) error) error {
		var id int64
		err := scan(&id)
		received[id] = true
		return err
	}); err != nil {
		return err
	}
	if err := query(ctx, db, "SELECT DISTINCT complaint_id FROM complaint_identifiers", func(scan func(...any) error) error {
		var id int64
		err := scan(&id)
		linked[id] = true
		return err
	}); err != nil {
		return err
	}
	if err := query(ctx, db, "SELECT record_id FROM audit_events WHERE action = 'complaint.create'", func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		audited[id] = true
		return err
	}); err != nil {
		return err
	}
	var lost, dup, wrong, partial []string
	acked := map[string]bool{}
	for _, a := range tr.complaints {
		acked[a.key] = true
		rows := stored[a.key]
		switch {
		case len(rows) == 0:
			lost = append(lost, a.ref)
		case len(rows) > 1:
			dup = append(dup, a.ref)
		case rows[0].id != a.id || rows[0].ref != a.ref:
			wrong = append(wrong, fmt.Sprintf("%s: stored as %d %s, acknowledged as %d %s", a.key, rows[0].id, rows[0].ref, a.id, a.ref))
		case !received[a.id] || !linked[a.id] || !audited[strconv.FormatInt(a.id, 10)]:
			partial = append(partial, a.ref)
		}
	}
	unacked := 0
	for k := range stored {
		if !acked[k] {
			unacked++
		}
	}
	refs := map[string]int{}
	if err := query(ctx, db, "SELECT reference FROM complaints WHERE channel = 'web'", func(scan func(...any) error) error {
		var ref string
		err := scan(&ref)
		refs[ref]++
		return err
	}); err != nil {
		return err
	}
	var lostPublic []string
	for _, r := range tr.publicRefs {
		if refs[r] != 1 {
			lostPublic = append(lostPublic, r)
		}
	}
	res.Checked.Complaints, res.Checked.PublicComplaints = len(tr.complaints), len(tr.publicRefs)
	fmt.Fprintf(out, "  complaints acknowledged with 201 through the API: %d; stored exactly once with that id and reference, with their event, identifiers and audit record: %d; missing %d, duplicated %d, different %d, half-written %d\n",
		len(tr.complaints), len(tr.complaints)-len(lost)-len(dup)-len(wrong)-len(partial), len(lost), len(dup), len(wrong), len(partial))
	fmt.Fprintf(out, "    (stored under this run's keys without a 201 having reached the client: %d)\n", unacked)
	fmt.Fprintf(out, "  complaints acknowledged with 201 through the public form: %d; stored: %d\n", len(tr.publicRefs), len(tr.publicRefs)-len(lostPublic))
	for what, l := range map[string][]string{"missing": lost, "stored twice": dup, "stored differently": wrong, "half-written": partial, "public form complaints missing": lostPublic} {
		if len(l) > 0 {
			fail("%d acknowledged complaints %s, e.g. %s", len(l), what, l[0])
		}
	}
	return nil
}

// checkDecisions: every decision acknowledged with 200 is the task's
// state (or was closed afterwards by another agency's refusal), has one
// audit event, an objection its objection row, and an application cleared
// by all three agencies was granted its licence.
func checkDecisions(ctx context.Context, db *sqlstore.DB, tr *traffic, res *loadRunResult, out io.Writer, fail func(string, ...any)) error {
	type task struct {
		status  greyline.TaskStatus
		version int
		by      int64
	}
	tasks := map[int64]task{}
	if err := query(ctx, db, "SELECT id, status, version, decided_by FROM clearance_tasks", func(scan func(...any) error) error {
		var id int64
		var t task
		err := scan(&id, &t.status, &t.version, &t.by)
		tasks[id] = t
		return err
	}); err != nil {
		return err
	}
	audits, objections := map[string]int{}, map[int64]int{}
	if err := query(ctx, db, "SELECT record_id FROM audit_events WHERE action IN ('task.clear', 'task.object', 'task.refuse')", func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		audits[id]++
		return err
	}); err != nil {
		return err
	}
	if err := query(ctx, db, "SELECT task_id FROM objections", func(scan func(...any) error) error {
		var id int64
		err := scan(&id)
		objections[id]++
		return err
	}); err != nil {
		return err
	}
	apps := map[int64]string{}
	if err := query(ctx, db, "SELECT id, status FROM applications", func(scan func(...any) error) error {
		var id int64
		var s string
		err := scan(&id, &s)
		apps[id] = s
		return err
	}); err != nil {
		return err
	}
	licensed := map[int64]bool{}
	if err := query(ctx, db, "SELECT application_id FROM licences", func(scan func(...any) error) error {
		var id int64
		err := scan(&id)
		licensed[id] = true
		return err
	}); err != nil {
		return err
	}

	var lost []string
	cleared := map[int64]int{}
	refused := map[int64]bool{}
	acked := map[int64]bool{}
	counts := map[greyline.Decision]int{}
	for _, a := range tr.decisions {
		counts[a.decision]++
		acked[a.task] = true
		t, ok := tasks[a.task]
		recorded := ok && (t.status == a.status && t.version == a.version && t.by == a.by ||
			a.status == greyline.TaskObjection && t.status == greyline.TaskClosed && t.version > a.version)
		if a.decision == greyline.DecideObject && objections[a.task] != 1 {
			recorded = false
		}
		if n := audits[strconv.FormatInt(a.task, 10)]; n != 1 {
			recorded = false
		}
		if !recorded {
			lost = append(lost, fmt.Sprintf("task %d: acknowledged %s (version %d, by user %d), stored %+v", a.task, a.status, a.version, a.by, t))
		}
		switch a.decision {
		case greyline.DecideClear:
			cleared[a.app]++
		case greyline.DecideRefuse:
			refused[a.app] = true
		}
	}
	unacked := 0
	for _, pool := range tr.fx.open {
		for _, o := range pool {
			if !acked[o.id] && audits[strconv.FormatInt(o.id, 10)] > 0 {
				unacked++
			}
		}
	}
	var notGranted, notRefused []string
	granted := 0
	for app, n := range cleared {
		if n == len(tr.fx.agencies) {
			granted++
			if apps[app] != string(greyline.AppGranted) || !licensed[app] {
				notGranted = append(notGranted, fmt.Sprintf("application %d is %s (licence issued: %v)", app, apps[app], licensed[app]))
			}
		}
	}
	for app := range refused {
		if apps[app] != string(greyline.AppRefused) {
			notRefused = append(notRefused, fmt.Sprintf("application %d is %s", app, apps[app]))
		}
	}
	res.Checked.Decisions, res.Checked.Licences = len(tr.decisions), granted
	conflicts := 0
	for _, k := range res.Kinds {
		if k.Name == fixedKinds[kDecision].name {
			conflicts = k.Status[409]
		}
	}
	fmt.Fprintf(out, "  decisions acknowledged with 200: %d (clear %d, object %d, refuse %d); recorded as acknowledged, with one audit event each: %d; 409 (another reviewer first, or the application refused meanwhile): %d\n",
		len(tr.decisions), counts[greyline.DecideClear], counts[greyline.DecideObject], counts[greyline.DecideRefuse], len(tr.decisions)-len(lost), conflicts)
	fmt.Fprintf(out, "    (decided without a 200 having reached the client: %d)\n", unacked)
	fmt.Fprintf(out, "  applications cleared by all three agencies during the run: %d, granted with a licence: %d; refused: %d, recorded refused: %d\n",
		granted, granted-len(notGranted), len(refused), len(refused)-len(notRefused))
	for a, at := range tr.dry {
		fmt.Fprintf(out, "    %s's queue ran out of tasks %s into the run; its reviewers then opened their queue page instead\n", a, at.Round(time.Second))
	}
	if len(lost) > 0 {
		fail("%d acknowledged decisions not recorded as acknowledged, e.g. %s", len(lost), lost[0])
	}
	if len(notGranted) > 0 {
		fail("%d applications cleared by every agency without a licence, e.g. %s", len(notGranted), notGranted[0])
	}
	if len(notRefused) > 0 {
		fail("%d refused applications not recorded refused, e.g. %s", len(notRefused), notRefused[0])
	}
	return nil
}
