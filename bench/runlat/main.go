// Command runlat measures the wall-clock latency of commands, interleaved
// (one run of each in turn, N rounds) so that load on the machine falls on
// all of them alike, and prints a Markdown table: median, 10th and 90th
// percentiles, and each median as a fraction of the first command's.
//
//	go run ./bench/runlat -n 50 -- 'python3.12 hello.pyc' 'pyc run --warm hello.pyc'
//
// Commands are split on spaces (no shell); their output is discarded and a
// non-zero exit fails the measurement. A pause (-gap) before each run lets
// background work of the previous one finish first.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 30, "rounds")
	warmup := flag.Int("warmup", 3, "unmeasured rounds first")
	label := flag.String("label", "", "comma-separated labels for the commands (default: the commands)")
	gap := flag.Duration("gap", 100*time.Millisecond, "pause before each run, so that work one leaves behind (a warm server forking its next child) does not fall on the next")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "usage: runlat [-n N] [-label a,b] CMD...")
		os.Exit(2)
	}
	labels := cmds
	if *label != "" {
		labels = strings.Split(*label, ",")
		if len(labels) != len(cmds) {
			fmt.Fprintln(os.Stderr, "runlat: -label needs one label per command")
			os.Exit(2)
		}
	}
	times := make([][]time.Duration, len(cmds))
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "runlat:", err)
		os.Exit(1)
	}
	for round := 0; round < *warmup+*n; round++ {
		for i, c := range cmds {
			f := strings.Fields(c)
			cmd := exec.Command(f[0], f[1:]...)
			cmd.Stdout, cmd.Stderr = devnull, devnull
			time.Sleep(*gap)
			start := time.Now()
			err := cmd.Run()
			d := time.Since(start)
			if err != nil {
				fmt.Fprintf(os.Stderr, "runlat: %s: %v\n", c, err)
				os.Exit(1)
			}
			if round >= *warmup {
				times[i] = append(times[i], d)
			}
		}
	}
	pct := func(ts []time.Duration, p float64) time.Duration {
		s := append([]time.Duration(nil), ts...)
		sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
		return s[int(p*float64(len(s)-1)+0.5)]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	base := pct(times[0], 0.5)
	fmt.Printf("| command | median ms | p10 ms | p90 ms | median / first |\n|---|---:|---:|---:|---:|\n")
	for i := range cmds {
		med := pct(times[i], 0.5)
		fmt.Printf("| `%s` | %s | %s | %s | %.2f |\n", labels[i], ms(med), ms(pct(times[i], 0.1)), ms(pct(times[i], 0.9)),
			float64(med)/float64(base))
	}
}
