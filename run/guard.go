package run

import (
	"fmt"
	"sort"
	"strings"
)

// Guard is what pyc run asks of the audit hook (PEP 578; CPython 3.8 to
// 3.13, see GuardCode) it installs before the program's first
// instruction: a log of the events, and events to deny. Audit hooks are a tripwire and a record, not
// a security boundary: code that means harm can get around them.
type Guard struct {
	// Log is where events go as JSON lines: a file name, "-" for standard
	// error, "" for no log.
	Log string
	// Deny are the rules of --deny, in order.
	Deny []Rule
}

// Active reports whether the guard has anything to do.
func (g *Guard) Active() bool { return g != nil && (g.Log != "" || len(g.Deny) > 0) }

// RuleKind is how a Rule matches.
type RuleKind uint8

// The rule kinds.
const (
	// MatchName matches one event name exactly.
	MatchName RuleKind = iota
	// MatchPrefix matches event names starting with Value.
	MatchPrefix
	// MatchPredicate runs a named test on the event and its arguments
	// (open-write, import-extension, dynamic-code).
	MatchPredicate
)

// String returns "name", "prefix" or "pred", as the Python side spells
// them.
func (k RuleKind) String() string {
	switch k {
	case MatchName:
		return "name"
	case MatchPrefix:
		return "prefix"
	case MatchPredicate:
		return "pred"
	}
	return fmt.Sprintf("RuleKind(%d)", uint8(k))
}

// Rule is one way an event can be denied.
type Rule struct {
	// Kind says how Value matches.
	Kind RuleKind
	// Value is an event name, a prefix of event names, or a predicate.
	Value string
	// Label is the word of --deny the rule came from (a group or an event),
	// for the message the program sees.
	Label string
}

// Group is a named set of rules for --deny.
type Group struct {
	// Name is the word given to --deny.
	Name string
	// Doc says in a line what the group stops.
	Doc string
	// Events are event names; a trailing "*" matches any suffix.
	Events []string
	// Predicates are tests that look at the arguments too.
	Predicates []string
}

// Groups are the friendly names --deny accepts besides event names.
var Groups = []Group{
	{
		Name: "net",
		Doc:  "sockets and the network clients of the standard library",
		Events: []string{"socket.*", "http.client.*", "urllib.Request", "ftplib.*", "smtplib.*",
			"poplib.*", "imaplib.*", "nntplib.*", "telnetlib.*"},
	},
	{
		Name: "subprocess",
		Doc:  "starting other programs",
		Events: []string{"subprocess.Popen", "os.system", "os.exec*", "os.posix_spawn*", "os.spawn*",
			"os.startfile", "pty.spawn"},
	},
	{
		Name: "fs-write",
		Doc:  "opening files for writing, and removing, renaming or changing files",
		Events: []string{"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
			"os.chflags", "os.lchflags", "os.link", "os.symlink", "os.truncate", "os.utime",
			"os.setxattr", "os.removexattr", "shutil.*", "tempfile.mkstemp", "tempfile.mkdtemp"},
		Predicates: []string{"open-write"},
	},
	{
		Name:       "import-native",
		Doc:        "loading native code: extension modules outside the standard library, ctypes",
		Events:     []string{"ctypes.dlopen"},
		Predicates: []string{"import-extension"},
	},
	{
		Name:       "exec",
		Doc:        "compiling or running code made at run time (exec, eval, compile of strings) outside the standard library",
		Predicates: []string{"dynamic-code"},
	},
}

// validEvent reports whether s can name audit events: letters, digits,
// '_', '.', '/', '-', not starting with a digit or punctuation, with an
// optional trailing '*'.
func validEvent(s string) bool {
	s = strings.TrimSuffix(s, "*")
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '/' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// ParseDeny turns --deny values (each a comma-separated list of group
// names and event names, where an event name may end in "*") into rules.
func ParseDeny(values []string) ([]Rule, error) {
	var out []Rule
	seen := map[Rule]bool{}
	add := func(r Rule) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, v := range values {
		for _, w := range strings.Split(v, ",") {
			w = strings.TrimSpace(w)
			if w == "" {
				continue
			}
			if g, ok := group(w); ok {
				for _, e := range g.Events {
					add(eventRule(e, g.Name))
				}
				for _, p := range g.Predicates {
					add(Rule{Kind: MatchPredicate, Value: p, Label: g.Name})
				}
				continue
			}
			if !validEvent(w) {
				return nil, fmt.Errorf("--deny: %q is neither a group (%s) nor an audit event name", w, groupNames())
			}
			add(eventRule(w, w))
		}
	}
	return out, nil
}

func eventRule(e, label string) Rule {
	if p, ok := strings.CutSuffix(e, "*"); ok {
		return Rule{Kind: MatchPrefix, Value: p, Label: label}
	}
	return Rule{Kind: MatchName, Value: e, Label: label}
}

func group(name string) (Group, bool) {
	for _, g := range Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

func groupNames() string {
	var n []string
	for _, g := range Groups {
		n = append(n, g.Name)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}
