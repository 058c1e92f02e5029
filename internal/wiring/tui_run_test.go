package wiring

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLog(t *testing.T) {
	l, closeLog, err := OpenLog("")
	if err != nil || l == nil {
		t.Fatalf("discard logger: %v", err)
	}
	closeLog()
	path := filepath.Join(t.TempDir(), "tui.log")
	l, closeLog, err = OpenLog(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Info("sent", "status", 200)
	closeLog()
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"msg":"sent"`) || !strings.Contains(string(b), `"status":200`) {
		t.Errorf("log file = %s", b)
	}
	if _, _, err := OpenLog(filepath.Join(t.TempDir(), "no", "such", "dir", "x.log")); err == nil {
		t.Error("no error for a log file that cannot be created")
	}
}
