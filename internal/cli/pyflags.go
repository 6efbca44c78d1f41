package cli

import (
	"strings"

	"github.com/spf13/pflag"
)

// pyFlags are the interpreter options pyc run and pyc serve pass on,
// spelled as the interpreter spells them.
type pyFlags struct {
	Optimize          int
	DontWriteBytecode bool
	IgnoreEnv         bool
	Isolated          bool
	NoUserSite        bool
	NoSite            bool
	Unbuffered        bool
	XOptions          []string
	Warnings          []string
}

func (p *pyFlags) addFlags(fs *pflag.FlagSet) {
	fs.CountVarP(&p.Optimize, "optimize", "O", "interpreter option -O (twice: -OO)")
	fs.BoolVarP(&p.DontWriteBytecode, "dont-write-bytecode", "B", false, "interpreter option -B")
	fs.BoolVarP(&p.IgnoreEnv, "ignore-environment", "E", false, "interpreter option -E")
	fs.BoolVarP(&p.Isolated, "isolated", "I", false, "interpreter option -I")
	fs.BoolVarP(&p.NoUserSite, "no-user-site", "s", false, "interpreter option -s")
	fs.BoolVarP(&p.NoSite, "no-site", "S", false, "interpreter option -S")
	fs.BoolVarP(&p.Unbuffered, "unbuffered", "u", false, "interpreter option -u")
	fs.StringArrayVarP(&p.XOptions, "xoption", "X", nil, "interpreter option -X OPT (repeatable)")
	fs.StringArrayVarP(&p.Warnings, "warnings", "W", nil, "interpreter option -W ARG (repeatable)")
}

// list returns the options in a fixed order, so that the same options
// always name the same warm server.
func (p *pyFlags) list() []string {
	var out []string
	for _, f := range []struct {
		on   bool
		flag string
	}{
		{p.DontWriteBytecode, "-B"}, {p.IgnoreEnv, "-E"}, {p.Isolated, "-I"},
		{p.NoUserSite, "-s"}, {p.NoSite, "-S"}, {p.Unbuffered, "-u"},
	} {
		if f.on {
			out = append(out, f.flag)
		}
	}
	if p.Optimize > 0 {
		out = append(out, "-"+strings.Repeat("O", p.Optimize))
	}
	for _, w := range p.Warnings {
		out = append(out, "-W", w)
	}
	for _, x := range p.XOptions {
		out = append(out, "-X", x)
	}
	return out
}
