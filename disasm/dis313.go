package disasm

import "fmt"

func (p *printer) listing313(c *Code) error {
	return fmt.Errorf("disasm: the %s listing is being written", c.Version.XY())
}
