package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sslrun/sslrun/internal/runfolder"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/internal/xla"
)

// sweepFile is the record a sweep keeps in its folder: the grid, its
// points with their run folders and status, and each finished point's
// metrics. It is rewritten whole (atomically) and can always be rebuilt
// from the run folders (`sslrun sweep --collect DIR`).
const sweepFile = "sweep.json"

// seedVariable is the grid variable that the table averages over.
const seedVariable = "seed"

// maxPoints bounds a grid's size, so a mistyped grid fails at once
// instead of allocating its product.
const maxPoints = 100000

// Point statuses in sweep.json.
const (
	// statusFinished: the run folder holds summary.json.
	statusFinished = "finished"
	// statusInterrupted: a checkpoint but no summary; the sweep resumes it.
	statusInterrupted = "interrupted"
	// statusStarted: a run began but wrote no checkpoint yet (it is running
	// elsewhere, or stopped before its first checkpoint); the sweep starts
	// it again.
	statusStarted = "started"
	// statusPending: no run folder yet.
	statusPending = "pending"
	// statusFailed: this process ran the point and it failed; error says
	// why. A rebuild from the folders shows what the failed run left.
	statusFailed = "failed"
)

// gridFlags collects repeated --grid name=v1,v2 flags as typed. They are
// checked after parsing (parseGrid), so that a wrong grid is an error of
// the sweep (exit 1) like a wrong spec, not a usage error.
type gridFlags []string

func (g *gridFlags) String() string { return strings.Join(*g, " ") }

func (g *gridFlags) Set(s string) error {
	*g = append(*g, s)
	return nil
}

// gridVar is one --grid variable and its values, in the order given.
type gridVar struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// setting is one variable's value at a point.
type setting struct{ Name, Value string }

// point is one combination of grid values.
type point struct {
	Index int
	// Settings are in the order of the grid's variables.
	Settings []setting
	// Folder is the run folder's name under the sweep's folder.
	Folder string
}

// vars returns the point's settings over base (--var), as the --var
// values of its run.
func (p point) vars(base map[string]string) map[string]string {
	v := maps.Clone(base)
	if v == nil {
		v = map[string]string{}
	}
	for _, s := range p.Settings {
		v[s.Name] = s.Value
	}
	return v
}

// label is the point's settings as name=value,name=value.
func (p point) label() string {
	parts := make([]string, len(p.Settings))
	for i, s := range p.Settings {
		parts[i] = s.Name + "=" + s.Value
	}
	return strings.Join(parts, ",")
}

// parseGrid checks the --grid flags: each name=v1,v2,... with a variable
// name, no empty value, no value twice, and no variable in two flags.
func parseGrid(flags []string) ([]gridVar, error) {
	var grid []gridVar
	seen := map[string]bool{}
	for _, f := range flags {
		name, list, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--grid %s: want name=value1,value2,...", printable(f))
		}
		if seen[name] {
			return nil, fmt.Errorf("--grid %s: variable %q is already in the grid; give all its values in one --grid %s=v1,v2,...", printable(f), name, name)
		}
		seen[name] = true
		if list == "" {
			return nil, fmt.Errorf("--grid %s: no values; want %s=value1,value2,...", printable(f), name)
		}
		values := strings.Split(list, ",")
		have := map[string]bool{}
		for i, v := range values {
			if v == "" {
				return nil, fmt.Errorf("--grid %s: value %d of %d is empty", printable(f), i+1, len(values))
			}
			if have[v] {
				return nil, fmt.Errorf("--grid %s: value %q is given twice", printable(f), v)
			}
			have[v] = true
		}
		grid = append(grid, gridVar{Name: name, Values: values})
	}
	return grid, nil
}

// printable shortens s for a message.
func printable(s string) string {
	if !utf8.ValidString(s) {
		s = fmt.Sprintf("%q", s)
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "..."
	}
	return s
}

// expandGrid lists the grid's points in their order: the cartesian
// product as nested loops, the first --grid the outermost and the last
// the innermost, each variable's values in the order given. Point I of
// the same grid is always the same point, whichever machine expands it.
func expandGrid(grid []gridVar) ([]point, error) {
	n := 1
	for _, g := range grid {
		n *= len(g.Values)
		if n > maxPoints {
			return nil, fmt.Errorf("the grid has more than %d points", maxPoints)
		}
	}
	width := len(fmt.Sprint(n - 1))
	points := make([]point, n)
	for i := range points {
		settings := make([]setting, len(grid))
		rest := i
		for j := len(grid) - 1; j >= 0; j-- {
			k := len(grid[j].Values)
			settings[j] = setting{grid[j].Name, grid[j].Values[rest%k]}
			rest /= k
		}
		points[i] = point{Index: i, Settings: settings, Folder: folderName(i, width, settings)}
	}
	return points, nil
}

// folderName names point i's run folder: its index, zero-padded to width
// so that folders list in point order, then its settings, each value with
// the characters a path or shell would mind replaced by _ and cut to 32
// characters. The index keeps names unique whatever the values.
func folderName(i, width int, settings []setting) string {
	parts := make([]string, len(settings))
	for j, s := range settings {
		v := []rune(s.Value)
		if len(v) > 32 {
			v = v[:32]
		}
		for k, r := range v {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == '_') {
				v[k] = '_'
			}
		}
		parts[j] = s.Name + "=" + string(v)
	}
	return fmt.Sprintf("%0*d-%s", width, i, strings.Join(parts, ","))
}

// sweepRecord is sweep.json.
type sweepRecord struct {
	Experiment string `json:"experiment"`
	// Spec is the spec's absolute path on the machine that wrote the
	// record last; SpecSHA256 identifies the spec wherever it lies.
	Spec       string            `json:"spec"`
	SpecSHA256 string            `json:"spec_sha256"`
	Vars       map[string]string `json:"variables_given"`
	MaxSteps   int               `json:"max_steps,omitempty"`
	Grid       []gridVar         `json:"grid"`
	Points     []pointRecord     `json:"points"`
}

// pointRecord is one point in sweep.json.
type pointRecord struct {
	Index     int               `json:"index"`
	Folder    string            `json:"folder"`
	Variables map[string]string `json:"variables"`
	Status    string            `json:"status"`
	Error     string            `json:"error,omitempty"`
	// Steps and Metrics are the finished run's summary.json: final_loss
	// and every number under eval, flattened (eval.knn.top1,
	// eval.knn.baseline.top1, ...).
	Steps   int                `json:"steps,omitempty"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// otherSweep says how rec, the sweep.json found in a folder, differs from
// want, the sweep asked for; "" when they are the same sweep. The spec's
// path may differ (another machine mounts it elsewhere); its content not.
func otherSweep(rec, want *sweepRecord) string {
	var diffs []string
	if rec.SpecSHA256 != want.SpecSHA256 {
		diffs = append(diffs, fmt.Sprintf("its spec is %s (sha256 %.12s), this one %s (sha256 %.12s)", rec.Spec, rec.SpecSHA256, want.Spec, want.SpecSHA256))
	}
	if !slices.EqualFunc(rec.Grid, want.Grid, func(a, b gridVar) bool { return a.Name == b.Name && slices.Equal(a.Values, b.Values) }) {
		diffs = append(diffs, fmt.Sprintf("its grid is %s, this one %s", gridString(rec.Grid), gridString(want.Grid)))
	}
	if !maps.Equal(rec.Vars, want.Vars) {
		diffs = append(diffs, fmt.Sprintf("its --var values are {%s}, these {%s}", varFlags(rec.Vars), varFlags(want.Vars)))
	}
	if rec.MaxSteps != want.MaxSteps {
		diffs = append(diffs, fmt.Sprintf("its --max-steps is %d, this one %d", rec.MaxSteps, want.MaxSteps))
	}
	return strings.Join(diffs, "; ")
}

// gridString writes a grid as its --grid flags.
func gridString(grid []gridVar) string {
	parts := make([]string, len(grid))
	for i, g := range grid {
		parts[i] = "--grid " + g.Name + "=" + strings.Join(g.Values, ",")
	}
	return strings.Join(parts, " ")
}

// newRecord starts sweep.json's points, every one pending.
func newRecord(points []point) []pointRecord {
	recs := make([]pointRecord, len(points))
	for i, p := range points {
		recs[i] = pointRecord{Index: i, Folder: p.Folder, Variables: p.vars(nil), Status: statusPending}
	}
	return recs
}

// folderStatus reads the status of the run folder dir: finished with a
// summary, interrupted with a checkpoint, started with only a config,
// else pending.
func folderStatus(dir string) string {
	switch {
	case exists(filepath.Join(dir, runfolder.SummaryFile)):
		return statusFinished
	case exists(filepath.Join(dir, runfolder.Checkpoints, runfolder.LatestCheckpoint)):
		return statusInterrupted
	case exists(filepath.Join(dir, runfolder.ConfigFile)):
		return statusStarted
	}
	return statusPending
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// refresh reads every point's status and a finished point's metrics from
// the run folders under dir. A point that failed in this process keeps
// its failure unless its folder has since finished.
func refresh(dir string, rec *sweepRecord) error {
	for i := range rec.Points {
		p := &rec.Points[i]
		status := folderStatus(filepath.Join(dir, p.Folder))
		if p.Status == statusFailed && status != statusFinished {
			continue
		}
		p.Status, p.Error, p.Steps, p.Metrics = status, "", 0, nil
		if status != statusFinished {
			continue
		}
		path := filepath.Join(dir, p.Folder, runfolder.SummaryFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading point %d's summary: %w", p.Index, err)
		}
		if p.Steps, p.Metrics, err = summaryMetrics(raw); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// summaryMetrics reads a summary.json: its steps, and as metrics its
// final_loss and every number under eval, keyed by their JSON path
// (eval.knn.top1, eval.linear.baseline.top5, ...). The run's bookkeeping
// (seed, wall time, speed) is left out.
func summaryMetrics(raw []byte) (int, map[string]float64, error) {
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, nil, fmt.Errorf("corrupt summary: %w", err)
	}
	m := map[string]float64{}
	if v, ok := s["final_loss"].(float64); ok {
		m["final_loss"] = v
	}
	var flatten func(prefix string, v map[string]any)
	flatten = func(prefix string, v map[string]any) {
		for k, x := range v {
			switch x := x.(type) {
			case float64:
				m[prefix+"."+k] = x
			case map[string]any:
				flatten(prefix+"."+k, x)
			}
		}
	}
	if e, ok := s["eval"].(map[string]any); ok {
		flatten("eval", e)
	}
	steps, _ := s["steps"].(float64)
	return int(steps), m, nil
}

// metricLess orders metric keys as the summary nests them: at each level
// the numbers before the objects, each sorted by name, so final_loss
// comes first, then per protocol top1, top5, then baseline.top1, ...
func metricLess(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		aLeaf, bLeaf := i == len(as)-1, i == len(bs)-1
		if aLeaf != bLeaf {
			if aLeaf {
				return -1
			}
			return 1
		}
		return strings.Compare(as[i], bs[i])
	}
	return len(as) - len(bs)
}

// percentMetric says whether a metric is an accuracy (a fraction shown in
// percent): its last name starts with "top".
func percentMetric(key string) bool {
	return strings.HasPrefix(key[strings.LastIndex(key, ".")+1:], "top")
}

// meanStd returns the mean of xs and their sample standard deviation
// (divided by n-1; NaN for fewer than two values).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}

// formatStat writes xs as "mean ± std": accuracies in percent with two
// decimals, other metrics with four; one value alone, "-" for none.
func formatStat(xs []float64, percent bool) string {
	if len(xs) == 0 {
		return "-"
	}
	mean, std := meanStd(xs)
	verb := "%.4f"
	if percent {
		mean, std, verb = 100*mean, 100*std, "%.2f"
	}
	if len(xs) == 1 {
		return fmt.Sprintf(verb, mean)
	}
	return fmt.Sprintf(verb+" ± "+verb, mean, std)
}

// writeTable writes rec's finished points as a Markdown table: one row
// per combination of the grid's variables other than seed, in point
// order, with n (finished runs, "k of m" while some are not) and each
// metric's mean ± sample standard deviation over the seeds.
func writeTable(w io.Writer, rec *sweepRecord) {
	var others []string
	for _, g := range rec.Grid {
		if g.Name != seedVariable {
			others = append(others, g.Name)
		}
	}
	type row struct {
		cells []string
		runs  []map[string]float64
		total int
	}
	var rows []*row
	byKey := map[string]*row{}
	metrics := map[string]bool{}
	finished := 0
	for _, p := range rec.Points {
		cells := make([]string, len(others))
		for i, name := range others {
			cells[i] = p.Variables[name]
		}
		if len(others) == 0 {
			cells = []string{rec.Experiment}
		}
		key := strings.Join(cells, "\x00")
		r := byKey[key]
		if r == nil {
			r = &row{cells: cells}
			byKey[key] = r
			rows = append(rows, r)
		}
		r.total++
		if p.Status == statusFinished {
			finished++
			r.runs = append(r.runs, p.Metrics)
			for k := range p.Metrics {
				metrics[k] = true
			}
		}
	}
	keys := slices.SortedFunc(maps.Keys(metrics), metricLess)
	header := others
	if len(others) == 0 {
		header = []string{"experiment"}
	}
	header = append(slices.Clone(header), "n")
	for _, k := range keys {
		if percentMetric(k) {
			k += " (%)"
		}
		header = append(header, k)
	}
	table := [][]string{header}
	for _, r := range rows {
		n := fmt.Sprint(len(r.runs))
		if len(r.runs) < r.total {
			n = fmt.Sprintf("%d of %d", len(r.runs), r.total)
		}
		line := append(slices.Clone(r.cells), n)
		for _, k := range keys {
			var xs []float64
			for _, m := range r.runs {
				if x, ok := m[k]; ok {
					xs = append(xs, x)
				}
			}
			line = append(line, formatStat(xs, percentMetric(k)))
		}
		table = append(table, line)
	}
	over := "each run"
	if slices.ContainsFunc(rec.Grid, func(g gridVar) bool { return g.Name == seedVariable }) {
		over = "mean ± sample standard deviation over seeds"
	}
	fmt.Fprintf(w, "%s: %d of %d points finished; %s, accuracies in %%\n\n", rec.Experiment, finished, len(rec.Points), over)
	writeMarkdown(w, table)
}

// writeMarkdown writes rows (the first the header) as a Markdown table
// with its columns padded to a common width.
func writeMarkdown(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			fmt.Fprintf(&b, "| %s%s ", c, strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
		}
		fmt.Fprintln(w, b.String()+"|")
	}
	line(rows[0])
	sep := make([]string, len(widths))
	for i, n := range widths {
		sep[i] = strings.Repeat("-", n)
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep", stderr)
	ef := addEngineFlags(fs)
	var grids gridFlags
	fs.Var(&grids, "grid", "a variable and its values: --grid name=v1,v2,... (repeatable; one run per combination)")
	out := fs.String("out", "", "the sweep's folder: one run folder per point, and sweep.json")
	maxSteps := fs.Int("max-steps", 0, "stop each run's pretraining after N steps, then evaluate")
	vars := varFlags{}
	fs.Var(vars, "var", "set a variable for every run: --var name=value (repeatable)")
	pointFlag := fs.Int("point", 0, "run only point I (0-based, in the documented order), for a job array")
	collect := fs.String("collect", "", "rebuild sweep.json and the table of the sweep in this folder from its run folders; runs nothing")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["collect"] {
		if len(pos) != 0 || len(given) != 1 {
			return usagef("--collect DIR takes no spec file and no other flag")
		}
		return collectSweep(*collect, stdout, stderr)
	}
	switch {
	case len(pos) != 1:
		return usagef("want one spec file, got %d", len(pos))
	case *out == "":
		return usagef("--out DIR is required: the sweep's folder")
	case len(grids) == 0:
		return usagef("want at least one --grid name=v1,v2,...")
	case *maxSteps < 0:
		return usagef("--max-steps must be positive")
	}
	file := pos[0]
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading spec: %w", err)
	}
	grid, err := parseGrid(grids)
	if err != nil {
		return err
	}
	declared, parsed := spec.DeclaredVariables(file, src)
	for _, g := range grid {
		if _, dup := vars[g.Name]; dup {
			return fmt.Errorf("variable %q is given both with --var and with --grid; give it one way", g.Name)
		}
		if parsed && !slices.Contains(declared, g.Name) {
			if len(declared) == 0 {
				return fmt.Errorf("--grid %s: %s declares no variables", g.Name, file)
			}
			return fmt.Errorf("--grid %s: %s declares no variable %q; declared: %s", g.Name, file, g.Name, strings.Join(declared, ", "))
		}
	}
	points, err := expandGrid(grid)
	if err != nil {
		return err
	}
	only := -1
	if given["point"] {
		if *pointFlag < 0 || *pointFlag >= len(points) {
			return fmt.Errorf("--point %d is out of range: the sweep has %d points, 0 to %d", *pointFlag, len(points), len(points)-1)
		}
		only = *pointFlag
	}
	// Every point resolves before any run starts.
	exps := make([]*spec.Experiment, len(points))
	for i, p := range points {
		if exps[i], err = spec.Load(file, src, spec.Options{Vars: p.vars(vars)}); err != nil {
			return fmt.Errorf("point %d (%s): %w", i, p.label(), err)
		}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("resolving the spec's path: %w", err)
	}
	sum := sha256.Sum256(src)
	rec := &sweepRecord{Experiment: exps[0].Name, Spec: abs, SpecSHA256: hex.EncodeToString(sum[:]), Vars: map[string]string(vars),
		MaxSteps: *maxSteps, Grid: grid, Points: newRecord(points)}
	dir := *out
	if err := openSweepDir(dir, rec); err != nil {
		return err
	}
	w, tty := progressOut(stderr)
	s := &sweep{dir: dir, rec: rec, points: points, exps: exps, src: src, vars: vars, maxSteps: *maxSteps, progress: w, terminal: tty, stderr: stderr}
	var failed []error
	var failedAt []string
	err = withRuntime(ef, func(rt xla.Runtime) error {
		s.rt = rt
		for i, p := range points {
			if only >= 0 && i != only {
				continue
			}
			if ctx.Err() != nil {
				return runnerError(fmt.Errorf("%w before point %d (%s); run the same command again to continue", runner.ErrInterrupted, i, p.label()))
			}
			if err := s.run(ctx, p); err != nil {
				var ee *exitError
				if errors.As(err, &ee) && ee.code == ExitInterrupted {
					return fmt.Errorf("point %d (%s): %w; run the same command again to continue the sweep", i, p.label(), err)
				}
				fmt.Fprintf(stderr, "sslrun sweep: point %d (%s) failed: %v\n", i, p.label(), err)
				rec.Points[i].Status, rec.Points[i].Error = statusFailed, err.Error()
				failed = append(failed, err)
				failedAt = append(failedAt, fmt.Sprint(i))
			}
			if err := s.save(); err != nil {
				return err
			}
		}
		return nil
	})
	if serr := s.save(); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	writeTable(stdout, rec)
	if len(failed) > 0 {
		code := ExitError
		var ee *exitError
		if errors.As(failed[0], &ee) {
			code = ee.code
		}
		return &exitError{code, fmt.Errorf("%d of %d points failed (point %s, each said why above); the table holds the others, and running the sweep again retries them",
			len(failed), len(points), strings.Join(failedAt, ", "))}
	}
	if only >= 0 {
		fmt.Fprintf(stderr, "point %d done; `sslrun sweep --collect %s` builds the table once every point has run\n", only, dir)
	}
	return nil
}

// openSweepDir makes the sweep's folder, or checks that the folder holds
// this sweep (or none), and writes sweep.json with the status of every
// point as its folder shows it.
func openSweepDir(dir string, rec *sweepRecord) error {
	if exists(filepath.Join(dir, runfolder.ConfigFile)) {
		return fmt.Errorf("%s is a run folder, not a sweep's; choose another --out", dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, sweepFile))
	switch {
	case err == nil:
		var old sweepRecord
		if err := json.Unmarshal(raw, &old); err != nil {
			return fmt.Errorf("%s is corrupt (remove it and run this sweep again; the run folders stay): %w", filepath.Join(dir, sweepFile), err)
		}
		if diff := otherSweep(&old, rec); diff != "" {
			return fmt.Errorf("%s holds another sweep (%s); choose another --out, or give the same spec and flags to continue it", dir, diff)
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("reading %s: %w", filepath.Join(dir, sweepFile), err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the sweep's folder: %w", err)
	}
	if err := refresh(dir, rec); err != nil {
		return err
	}
	return runfolder.WriteJSON(filepath.Join(dir, sweepFile), rec)
}

// sweep is one `sslrun sweep` process over a sweep's folder.
type sweep struct {
	dir      string
	rec      *sweepRecord
	points   []point
	exps     []*spec.Experiment
	src      []byte
	vars     map[string]string
	maxSteps int
	progress io.Writer
	terminal bool
	stderr   io.Writer
	rt       xla.Runtime
}

// save rebuilds sweep.json from the run folders and writes it whole, so
// that processes running other points of the sweep on other machines
// never leave it torn; the last writer wins and --collect rebuilds it.
func (s *sweep) save() error {
	if err := refresh(s.dir, s.rec); err != nil {
		return err
	}
	return runfolder.WriteJSON(filepath.Join(s.dir, sweepFile), s.rec)
}

// run runs point p as `sslrun run --out DIR/<folder>` would: a finished
// folder is left as it is, one with a checkpoint resumes as `sslrun
// resume` does, one that started without a checkpoint starts again.
func (s *sweep) run(ctx context.Context, p point) error {
	dir := filepath.Join(s.dir, p.Folder)
	vars := p.vars(s.vars)
	status := folderStatus(dir)
	if status != statusPending {
		if err := s.ownFolder(dir, vars); err != nil {
			return err
		}
	}
	opts := runner.Options{Progress: s.progress, Terminal: s.terminal, XLA: s.rt}
	var res *runner.Result
	var err error
	switch status {
	case statusFinished:
		fmt.Fprintf(s.stderr, "point %d (%s), %d of %d: finished in %s, skipped\n", p.Index, p.label(), p.Index+1, len(s.points), dir)
		return nil
	case statusInterrupted:
		fmt.Fprintf(s.stderr, "point %d (%s), %d of %d: resuming %s\n", p.Index, p.label(), p.Index+1, len(s.points), dir)
		res, err = runner.Resume(ctx, dir, opts)
	default:
		if status == statusStarted {
			if err := clearStarted(dir); err != nil {
				return err
			}
		}
		fmt.Fprintf(s.stderr, "point %d (%s), %d of %d: running in %s\n", p.Index, p.label(), p.Index+1, len(s.points), dir)
		opts.Out, opts.Vars, opts.MaxSteps = dir, vars, s.maxSteps
		res, err = runner.Run(ctx, s.exps[p.Index], s.src, opts)
	}
	if err != nil {
		return runnerError(err)
	}
	return printSummary(s.stderr, res)
}

// ownFolder refuses a run folder that is not this point's run: another
// spec or other variables.
func (s *sweep) ownFolder(dir string, vars map[string]string) error {
	src, err := os.ReadFile(filepath.Join(dir, runfolder.SpecFile))
	if err != nil {
		return fmt.Errorf("%s is not this sweep's run folder: %w", dir, err)
	}
	if string(src) != string(s.src) {
		return fmt.Errorf("%s holds a run of another spec; move it away to run this point", dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, runfolder.ConfigFile))
	if err != nil {
		return fmt.Errorf("%s is not this sweep's run folder: %w", dir, err)
	}
	var cfg runner.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s is corrupt: %w", filepath.Join(dir, runfolder.ConfigFile), err)
	}
	if !maps.Equal(cfg.Vars, vars) {
		return fmt.Errorf("%s holds a run with variables {%s}, not this point's {%s}; move it away to run this point", dir, varFlags(cfg.Vars), varFlags(vars))
	}
	return nil
}

// clearStarted removes what a run that stopped before its first
// checkpoint left (its spec, config, log and empty checkpoints folder),
// holding the folder's lock so that a run still going elsewhere is left
// alone; anything else in the folder stays, and the new run refuses it.
func clearStarted(dir string) error {
	lock, err := runfolder.LockDir(dir, "sweep")
	if err != nil {
		return err
	}
	defer lock.Release()
	if folderStatus(dir) != statusStarted { // it moved on while we looked
		return fmt.Errorf("%s changed while the sweep looked at it; run the sweep again", dir)
	}
	for _, name := range []string{runfolder.ConfigFile, runfolder.SpecFile, runfolder.LogFile, runfolder.Checkpoints} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("clearing %s to start it again: %w", dir, err)
		}
	}
	return nil
}

// collectSweep rebuilds the sweep.json in dir from its run folders and
// prints the table.
func collectSweep(dir string, stdout, stderr io.Writer) error {
	path := filepath.Join(dir, sweepFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s is not a sweep's folder: %w", dir, err)
	}
	var rec sweepRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("%s is corrupt: %w", path, err)
	}
	points, err := expandGrid(rec.Grid)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	rec.Points = newRecord(points)
	if err := refresh(dir, &rec); err != nil {
		return err
	}
	if err := runfolder.WriteJSON(path, &rec); err != nil {
		return err
	}
	for _, p := range rec.Points {
		if p.Status != statusFinished {
			fmt.Fprintf(stderr, "point %d (%s) is %s\n", p.Index, points[p.Index].label(), p.Status)
		}
	}
	writeTable(stdout, &rec)
	return nil
}
