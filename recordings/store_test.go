package recordings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func readAll(t *testing.T, dir string) (recs []Record, lineErrs []*LineError) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rd := NewReader(f, name)
		for {
			rec, err := rd.Next()
			var le *LineError
			if errors.Is(err, io.EOF) {
				break
			} else if errors.As(err, &le) {
				lineErrs = append(lineErrs, le)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
		}
		f.Close()
	}
	return recs, lineErrs
}

func capN(i int) Capture {
	return Capture{ReceivedAt: testNow, Method: "POST", Path: "/", Signature: SignatureAbsent,
		Body: fmt.Appendf(nil, `{"event_id":"e%05d","object_type":"email","metric":"sent","timestamp":1,"data":{"pad":"%s"}}`, i, bytes.Repeat([]byte("p"), i%300))}
}

func TestStore_concurrentAppendsNeverInterleave(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := OpenStore(dir, StoreOptions{MaxFileBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	const n = 800
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := st.Append(capN(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	recs, lerrs := readAll(t, dir)
	if len(lerrs) != 0 {
		t.Fatalf("line errors: %v", lerrs)
	}
	if len(recs) != n {
		t.Fatalf("read %d records, want %d", len(recs), n)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.Event.EventID] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct events, want %d", len(seen), n)
	}
	files, _ := st.Files()
	if len(files) < 2 {
		t.Errorf("no size rotation: files %v", files)
	}
	for _, f := range files {
		info, _ := os.Stat(f)
		if info.Size() > 64<<10 {
			t.Errorf("%s is %d bytes, over the limit", f, info.Size())
		}
	}
}

func TestStore_rotatesByDay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2026, 11, 29, 23, 59, 59, 0, time.UTC)
	st, err := OpenStore(dir, StoreOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := st.Append(capN(1))
	now = now.Add(2 * time.Second)
	a2, _ := st.Append(capN(2))
	st.Close()
	if filepath.Base(a1.File) != "capture-2026-11-29-001.jsonl" || filepath.Base(a2.File) != "capture-2026-11-30-001.jsonl" {
		t.Errorf("files %s, %s", a1.File, a2.File)
	}
	if a2.Line != 1 {
		t.Errorf("line %d, want 1", a2.Line)
	}
}

func TestStore_reopenContinuesAndSkipsTornFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := func() time.Time { return testNow }
	st, _ := OpenStore(dir, StoreOptions{Now: clock})
	st.Append(capN(1))
	st.Close()
	st, _ = OpenStore(dir, StoreOptions{Now: clock})
	a, _ := st.Append(capN(2))
	st.Close()
	if filepath.Base(a.File) != "capture-2026-11-29-001.jsonl" || a.Line != 2 {
		t.Errorf("reopen appended at %+v, want line 2 of file 001", a)
	}
	// Simulate a crash mid-write: a torn last line. The next open starts a new file so the
	// torn line stays last and is skipped with a warning.
	f, _ := os.OpenFile(a.File, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"received_at":"2026-11-29T04:00:00Z","method":"PO`)
	f.Close()
	st, _ = OpenStore(dir, StoreOptions{Now: clock})
	b, _ := st.Append(capN(3))
	st.Close()
	if filepath.Base(b.File) != "capture-2026-11-29-002.jsonl" {
		t.Errorf("after a torn file appended to %s, want file 002", b.File)
	}
	recs, lerrs := readAll(t, dir)
	if len(recs) != 3 || len(lerrs) != 1 || !lerrs[0].Torn || lerrs[0].Line != 3 {
		t.Errorf("read %d records, errors %v; want 3 and one torn line 3", len(recs), lerrs)
	}
}

func TestStore_unwritableDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	_, err := OpenStore(filepath.Join(file, "sub"), StoreOptions{})
	if err == nil {
		t.Fatal("OpenStore under a regular file succeeded")
	}
}

func TestStore_appendAfterClose(t *testing.T) {
	t.Parallel()
	st, _ := OpenStore(t.TempDir(), StoreOptions{})
	st.Close()
	if _, err := st.Append(capN(1)); !errors.Is(err, ErrStoreClosed) {
		t.Errorf("err = %v, want ErrStoreClosed", err)
	}
}

func BenchmarkStore_AppendParallel(b *testing.B) {
	for _, pol := range []struct {
		name string
		p    SyncPolicy
	}{{"fsync", SyncAlways}, {"nosync", SyncNever}} {
		b.Run(pol.name, func(b *testing.B) {
			st, _ := OpenStore(b.TempDir(), StoreOptions{Sync: pol.p})
			defer st.Close()
			c := capN(100)
			b.SetParallelism(32) // like many concurrent requests
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := st.Append(c); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// readBack reads loc's line and returns its event id, failing the test when the line is
// not there: an acknowledged capture must be readable where Append said it is.
func readBack(t *testing.T, loc Location) string {
	t.Helper()
	f, err := os.Open(loc.File)
	if err != nil {
		t.Fatalf("acknowledged %s:%d but cannot open it: %v", loc.File, loc.Line, err)
	}
	defer f.Close()
	rd := NewReader(f, loc.File)
	for {
		rec, err := rd.Next()
		if err != nil {
			t.Fatalf("acknowledged %s:%d but the file ends before it: %v", loc.File, loc.Line, err)
		}
		if rec.Line == loc.Line {
			return rec.Event.EventID
		}
	}
}

func TestStore_fileRemovedWhileRecording(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault func(t *testing.T, dir, file string)
	}{
		{"file deleted", func(t *testing.T, dir, file string) { must(t, os.Remove(file)) }},
		{"file renamed", func(t *testing.T, dir, file string) { must(t, os.Rename(file, file+".old")) }},
		{"file replaced", func(t *testing.T, dir, file string) {
			must(t, os.Rename(file, file+".old"))
			must(t, os.WriteFile(file, nil, 0o644))
		}},
		{"directory removed", func(t *testing.T, dir, file string) { must(t, os.RemoveAll(dir)) }},
		{"directory replaced", func(t *testing.T, dir, file string) {
			must(t, os.RemoveAll(dir))
			must(t, os.Mkdir(dir, 0o755))
		}},
	} {
		for _, pol := range []SyncPolicy{SyncAlways, SyncNever} {
			t.Run(fmt.Sprintf("%s/sync=%d", tt.name, pol), func(t *testing.T) {
				t.Parallel()
				dir := filepath.Join(t.TempDir(), "rec")
				st, err := OpenStore(dir, StoreOptions{Sync: pol, Now: func() time.Time { return testNow }})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				a1, err := st.Append(capN(1))
				if err != nil {
					t.Fatal(err)
				}
				tt.fault(t, dir, a1.File)
				for i := 2; i < 5; i++ {
					a, err := st.Append(capN(i))
					if err != nil {
						t.Fatalf("append %d after the fault: %v (the store should recover)", i, err)
					}
					if got, want := readBack(t, a), capN(i); got != customerioEventID(want) {
						t.Errorf("%s:%d holds %s, want %s", a.File, a.Line, got, customerioEventID(want))
					}
					if a.File == a1.File && tt.name != "file replaced" && tt.name != "directory replaced" {
						// A new file was expected, but the same name is fine when it now
						// holds the line (checked above).
						t.Logf("append %d went to the old name %s", i, a.File)
					}
				}
			})
		}
	}
}

// TestStore_recoversAfterFailedOpen: a rotation that cannot open the next file fails that
// append only; once the fault is gone, small appends succeed again (they used to fail with
// "invalid argument" until a rotation happened).
func TestStore_recoversAfterFailedOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := OpenStore(dir, StoreOptions{MaxFileBytes: 600, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Append(capN(1)); err != nil {
		t.Fatal(err)
	}
	// The next file's name is taken by a directory (works as root, unlike chmod), so the
	// rotation the big capture needs cannot open it.
	next := filepath.Join(dir, "capture-2026-11-29-002.jsonl")
	must(t, os.Mkdir(next, 0o755))
	if _, err := st.Append(capN(299)); err == nil {
		t.Fatal("append into an unopenable file succeeded")
	}
	if _, err := st.Append(capN(2)); err == nil {
		t.Fatal("append while the fault lasts succeeded")
	}
	must(t, os.Remove(next))
	for i := 3; i < 6; i++ {
		a, err := st.Append(capN(i))
		if err != nil {
			t.Fatalf("small append %d after the fault cleared: %v", i, err)
		}
		if got := readBack(t, a); got != customerioEventID(capN(i)) {
			t.Errorf("%s:%d holds %s", a.File, a.Line, got)
		}
	}
}

func customerioEventID(c Capture) string {
	var v struct {
		EventID string `json:"event_id"`
	}
	json.Unmarshal(c.Body, &v)
	return v.EventID
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestStore_fileSizeLimit: a file that reached the process's file size limit (ulimit -f)
// fails its append with EFBIG; the next append goes to a new file instead of failing for
// ever. It runs in a child process, since the limit applies to the whole process.
func TestStore_fileSizeLimit(t *testing.T) {
	if os.Getenv("CIOSIM_FSIZE_CHILD") == "1" {
		fileSizeChild(t)
		return
	}
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^TestStore_fileSizeLimit$", "-test.v")
	child.Env = append(os.Environ(), "CIOSIM_FSIZE_CHILD=1", "CIOSIM_FSIZE_DIR="+t.TempDir())
	out, err := child.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS")) {
		t.Errorf("child: %v\n%s", err, out)
	}
}

func fileSizeChild(t *testing.T) {
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 4096, Max: 4096}); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	st, err := OpenStore(os.Getenv("CIOSIM_FSIZE_DIR"), StoreOptions{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	failed := 0
	for i := 0; i < 40; i++ {
		c := capN(200 + i)
		a, err := st.Append(c)
		if err != nil {
			if !errors.Is(err, syscall.EFBIG) {
				t.Fatalf("append %d: %v", i, err)
			}
			failed++
			if failed > 1 && i > 0 {
				// Only the append that met the limit may fail; the next one starts a new file.
				t.Fatalf("append %d failed again after a failure: %v", i, err)
			}
			continue
		}
		failed = 0
		if got := readBack(t, a); got != customerioEventID(c) {
			t.Fatalf("%s:%d holds %s", a.File, a.Line, got)
		}
	}
	files, _ := st.Files()
	if len(files) < 3 {
		t.Errorf("files %v: want the limit met several times", files)
	}
}

// TestStore_fileRemovedBeforeSync: a file deleted after the line was written but before it
// was synced took the line with it; Append writes it again and answers where it now is.
func TestStore_fileRemovedBeforeSync(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := OpenStore(dir, StoreOptions{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	removed := 0
	st.afterWrite = func(path string) {
		if removed == 0 {
			removed++
			must(t, os.Remove(path))
		}
	}
	for i := range 3 {
		a, err := st.Append(capN(i))
		if err != nil {
			t.Fatal(err)
		}
		if got := readBack(t, a); got != customerioEventID(capN(i)) {
			t.Errorf("%s:%d holds %s", a.File, a.Line, got)
		}
	}
}

// TestStore_groupCommit: appends that queue while another is being written go out
// together: one write(2), one fsync (under SyncAlways) and one check that the file is still
// at its path for the whole batch (a write and a stat per line cost about a tenth of the
// receiver's CPU); when that check fails, the batch is written again into a new file and
// every line is readable where Append says.
func TestStore_groupCommit(t *testing.T) {
	t.Parallel()
	for _, pol := range []SyncPolicy{SyncAlways, SyncNever} {
		for _, remove := range []bool{false, true} {
			t.Run(fmt.Sprintf("sync=%d/removed=%v", pol, remove), func(t *testing.T) {
				t.Parallel()
				st, err := OpenStore(t.TempDir(), StoreOptions{Sync: pol, Now: func() time.Time { return testNow }})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				var stats, writes atomic.Int64
				st.stat = func(p string) (os.FileInfo, error) { stats.Add(1); return os.Stat(p) }
				release := make(chan struct{})
				st.afterWrite = func(path string) {
					switch writes.Add(1) {
					case 1:
						<-release // hold the writer's turn while the others queue
					case 2:
						if remove {
							must(t, os.Remove(path))
						}
					}
				}
				const n = 16
				locs := make([]Location, n)
				var wg sync.WaitGroup
				appendN := func(i int) {
					wg.Go(func() {
						a, err := st.Append(capN(i))
						if err != nil {
							t.Error(err)
						}
						locs[i] = a
					})
				}
				appendN(0)
				for writes.Load() == 0 {
					time.Sleep(time.Millisecond)
				}
				for i := 1; i < n; i++ {
					appendN(i)
				}
				for queued := 0; queued < n-1; time.Sleep(time.Millisecond) {
					st.mu.Lock()
					queued = len(st.queue)
					st.mu.Unlock()
				}
				close(release)
				wg.Wait()
				if t.Failed() {
					return
				}
				for i, a := range locs {
					if i == 0 && remove {
						continue // answered before its file was removed
					}
					if got := readBack(t, a); got != customerioEventID(capN(i)) {
						t.Errorf("%s:%d holds %s, want %s", a.File, a.Line, got, customerioEventID(capN(i)))
					}
				}
				// the first line alone, then the other 15 together (again after a removal)
				want := int64(2)
				if remove {
					want = 3
				}
				if got := writes.Load(); got != want {
					t.Errorf("%d writes for %d lines, want %d", got, n, want)
				}
				if got := stats.Load(); got != want {
					t.Errorf("%d stats for %d lines, want %d", got, n, want)
				}
			})
		}
	}
}
