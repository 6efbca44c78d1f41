package hostile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Op is one reading operation of the pyc command line.
type Op struct {
	// Name is short and unique: "dis-json".
	Name string
	// Args are the arguments before the file names.
	Args []string
	// Multi reports that the command takes several files in one run.
	Multi bool
}

// Ops are the reading operations the sweep runs on every mutant.
var Ops = []Op{
	{"info", []string{"info"}, true},
	{"info-json", []string{"info", "--json"}, true},
	{"check", []string{"check"}, true},
	{"check-json", []string{"check", "--json"}, true},
	{"dump", []string{"dump"}, false},
	{"dump-json", []string{"dump", "--json"}, false},
	{"dis", []string{"dis"}, true},
	{"dis-json", []string{"dis", "--json"}, true},
	{"dis-asm", []string{"dis", "-f", "asm"}, false},
}

var (
	offsetRE  = regexp.MustCompile(`\boffset \d+`)
	numberRE  = regexp.MustCompile(`\d+`)
	summaryRE = regexp.MustCompile(`^\d+ checked, \d+ ok, \d+ failed$`)
	// What a Go panic, fatal error or stack trace prints.
	crashRE = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine \d+ \[|runtime\.|\t.*\.go:\d+)`)
)

// Messages returns the error messages that a run of op over files printed:
// "pyc: ..." lines on standard error, check's problem lines, the "error"
// fields of info --json and the "problems" of check --json. Lines on
// standard error that are not "pyc: " messages come back in stray.
func Messages(op Op, stdout io.Reader, stderr []byte) (msgs, stray []string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m, ok := strings.CutPrefix(line, "pyc: "); ok {
			msgs = append(msgs, m)
		} else if line != "" {
			stray = append(stray, line)
		}
	}
	switch op.Name {
	case "check":
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := sc.Text(); !summaryRE.MatchString(line) {
				msgs = append(msgs, line)
			}
		}
	case "check-json":
		var rep struct {
			Results []struct {
				File     string   `json:"file"`
				Problems []string `json:"problems"`
			} `json:"results"`
		}
		if err := json.NewDecoder(stdout).Decode(&rep); err != nil {
			return msgs, stray, fmt.Errorf("check --json output: %v", err)
		}
		for _, r := range rep.Results {
			for _, p := range r.Problems {
				msgs = append(msgs, r.File+": "+p)
			}
		}
	case "info-json":
		var infos []struct {
			Error string `json:"error"`
		}
		if err := json.NewDecoder(stdout).Decode(&infos); err != nil {
			return msgs, stray, fmt.Errorf("info --json output: %v", err)
		}
		for _, in := range infos {
			if in.Error != "" {
				msgs = append(msgs, in.Error)
			}
		}
	}
	return msgs, stray, nil
}

// Problem is something wrong with a run: What, and the file it is about
// when that can be told ("" otherwise).
type Problem struct {
	File string
	What string
}

func (p Problem) String() string {
	if p.File == "" {
		return p.What
	}
	return p.File + ": " + p.What
}

// CheckRun checks what a run of op over files printed and its exit status,
// and returns what is wrong: an exit status other than 0 or 1, a panic or Go
// stack trace, output other than "pyc: " messages on standard error, a
// failure without a message (or a message without a failure), output that
// is not the JSON asked for, and any error message that does not name one
// of the files and a byte offset ("offset N"). A message lacking the file
// or the offset is reported as "message without ...: SHAPE", where SHAPE is
// the message with the file name and numbers blanked, so that equal
// problems read alike.
func CheckRun(op Op, files []string, stdout io.Reader, stderr []byte, exit int) []Problem {
	var probs []Problem
	add := func(file, format string, a ...any) {
		probs = append(probs, Problem{file, fmt.Sprintf(format, a...)})
	}
	one := ""
	if len(files) == 1 {
		one = files[0]
	}
	if exit != 0 && exit != 1 {
		add(one, "exit status %d", exit)
	}
	if loc := crashRE.FindIndex(stderr); loc != nil {
		end := min(len(stderr), loc[0]+400)
		add(one, "crash output: %s", stderr[loc[0]:end])
		return probs
	}
	msgs, stray, err := Messages(op, stdout, stderr)
	if err != nil {
		add(one, "%v", err)
	}
	for _, s := range stray {
		add(one, "stray output on standard error: %s", s)
	}
	if exit == 1 && len(msgs) == 0 {
		add(one, "exit status 1 without an error message")
	}
	if exit == 0 && len(msgs) > 0 {
		add(one, "exit status 0 with an error message: %s", msgs[0])
	}
	for _, m := range msgs {
		named := ""
		for _, f := range files {
			if strings.Contains(m, f+":") {
				named = f
				break
			}
		}
		if named == "" {
			add(one, "message without the file name: %s", Shape(m, one))
		}
		if !offsetRE.MatchString(strings.ReplaceAll(m, named, "")) {
			add(named, "message without a byte offset: %s", Shape(m, named))
		}
	}
	if exit == 0 {
		switch op.Name {
		case "dump-json", "dis-json":
			if err := ValidJSON(stdout); err != nil {
				add(one, "output is not JSON: %v", err)
			}
		}
	}
	return probs
}

// ValidJSON reads one JSON value and the end of input from r, token by
// token (without holding the whole of it), and returns what is wrong.
func ValidJSON(r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			break
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("more after the JSON value")
	}
	return nil
}

// Shape blanks the file name and every number in an error message.
func Shape(msg, file string) string {
	if file != "" {
		msg = strings.ReplaceAll(msg, file, "FILE")
	}
	msg = numberRE.ReplaceAllString(msg, "N")
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return msg
}
