package wiring

import (
	"errors"
	"fmt"
	"os"

	"github.com/ciosim/ciosim/xdm"
)

// LocateMapping places a parse or compile error of the mapping-set file name at its line
// and column (xdm.Locate), re-reading the file; any other error is returned as it is.
func LocateMapping(name string, err error) error {
	var pe *xdm.ParseError
	var ce *xdm.CompileError
	if !errors.As(err, &pe) && !errors.As(err, &ce) {
		return err
	}
	b, rerr := os.ReadFile(name)
	if rerr != nil {
		return err
	}
	return locateIn(name, b, err)
}

// locateIn is LocateMapping with the file's contents b.
func locateIn(name string, b []byte, err error) error {
	var pe *xdm.ParseError
	var ce *xdm.CompileError
	if !errors.As(err, &pe) && !errors.As(err, &ce) {
		return err
	}
	if pe != nil {
		return xdm.Locate(name, b, pe)
	}
	var ue interface{ Unwrap() []error }
	if errors.As(err, &ue) {
		return xdm.Locate(name, b, errors.Join(ue.Unwrap()...))
	}
	return xdm.Locate(name, b, ce)
}

// LoadSchemaFiles reads a JSON Schema file and the files its $refs point to (by $id).
func LoadSchemaFiles(main string, refs []string) (*xdm.Schema, error) {
	read := func(p string) (xdm.SchemaFile, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return xdm.SchemaFile{}, fmt.Errorf("read schema: %w", err)
		}
		return xdm.SchemaFile{Name: p, Data: b}, nil
	}
	m, err := read(main)
	if err != nil {
		return nil, err
	}
	var rs []xdm.SchemaFile
	for _, r := range refs {
		f, err := read(r)
		if err != nil {
			return nil, err
		}
		rs = append(rs, f)
	}
	return xdm.LoadSchema(m, rs...)
}
