package disasm

import "fmt"

func (p *printer) listing311(c *Code) error {
	return fmt.Errorf("disasm: the %s listing is being written", c.Version.XY())
}
