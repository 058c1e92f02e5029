// Package wiring is the wiring shared by the commands and the TUI (like gh's factory): it
// opens inputs, and joins the domain packages to each other. Domain packages never import it.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// IsInputFile reports whether a directory entry is read as an input: *.jsonl or *.ndjson.
func IsInputFile(name string) bool {
	return strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

// ExpandInputs checks every argument before anything is read and expands directories: a
// file (or "-", standard input) stays itself, a directory becomes its *.jsonl and *.ndjson
// files sorted by name, and a bucket URL (s3://, gs://, azblob://, file://, mem://) stays
// itself. dir, when set, is the directory relative names are opened from.
// warn is told about files a directory holds that are not read.
func ExpandInputs(dir string, args []string, warn func(string)) (files, dirs []string, err error) {
	for _, arg := range args {
		if arg == "-" || bucket.IsURL(arg) { // a bucket is read merged by FileSource
			files = append(files, arg)
			continue
		}
		info, err := os.Stat(at(dir, arg))
		if err != nil {
			return nil, nil, fmt.Errorf("open input: %w", err)
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		dirs = append(dirs, arg)
		entries, err := os.ReadDir(at(dir, arg))
		if err != nil {
			return nil, nil, fmt.Errorf("read input dir: %w", err)
		}
		var found []string
		ignored := 0
		for _, e := range entries {
			switch {
			case e.Type().IsRegular() && IsInputFile(e.Name()):
				found = append(found, filepath.Join(arg, e.Name()))
			case !e.IsDir():
				ignored++
			}
		}
		if ignored > 0 && warn != nil {
			warn(fmt.Sprintf("%s: ignored %d files without the .jsonl or .ndjson extension", arg, ignored))
		}
		if len(found) == 0 && ignored > 0 {
			return nil, nil, fmt.Errorf("%s: no .jsonl files to read", arg)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, dirs, nil
}

func at(dir, name string) string {
	if dir == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// FileSource reads inputs one after another through the tolerant recordings.Reader, the
// one reader of input files, as a [pipeline.Source]; with Follow, it then waits for changes
// and reads lines appended to known files and new files in the watched directories.
type FileSource struct {
	// Dir is the directory relative names are opened from ("" = the working directory);
	// records keep the names as given, so a journal written in one directory resumes in
	// another.
	Dir string
	// Warn, when set, is told about objects of a bucket input that are not recordings.
	Warn   func(string)
	stdin  io.Reader
	files  []string
	i      int
	f      *os.File
	rc     io.ReadCloser // a bucket being read (OpenBucket)
	rd     *recordings.Reader
	offset map[string]int64 // bytes consumed per file, for follow
	lines  map[string]int   // lines consumed per file, to number resumed reads
	w      <-chan recordings.Change
	roots  []string
}

var _ pipeline.ReadySource = (*FileSource)(nil)

// NewFileSource reads files in order ("-" is stdin).
func NewFileSource(files []string, stdin io.Reader) *FileSource {
	if len(files) == 0 {
		files = []string{"-"}
	}
	return &FileSource{files: files, stdin: stdin, offset: map[string]int64{}, lines: map[string]int{}}
}

// Follow makes the source wait, at the end, for changes reported on w to the inputs or to
// files inside roots.
func (s *FileSource) Follow(w <-chan recordings.Change, roots []string) {
	s.w, s.roots = w, roots
}

// Close closes the file being read.
func (s *FileSource) Close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if s.rc != nil {
		s.rc.Close()
		s.rc = nil
	}
}

// Ready reports whether Next would return without waiting for the watcher: always without
// Follow; with it, while files remain or the current file has bytes not read yet (a torn
// last line counts as unread, so a batch can then wait for the writer to finish it).
func (s *FileSource) Ready() bool {
	if s.w == nil || s.i < len(s.files)-1 {
		return true
	}
	if s.i == len(s.files) {
		return false
	}
	name := s.files[s.i]
	if name == "-" || bucket.IsURL(name) {
		return true
	}
	read := s.offset[name]
	if s.rd != nil {
		read += s.rd.Consumed()
	}
	info, err := os.Stat(at(s.Dir, name))
	return err == nil && info.Size() > read
}

// Next returns the next record, a *recordings.LineError for a line it skipped, or io.EOF.
func (s *FileSource) Next(ctx context.Context) (recordings.Record, error) {
	for {
		if err := ctx.Err(); err != nil {
			return recordings.Record{}, err
		}
		if s.rd == nil {
			if s.i == len(s.files) {
				if s.w == nil {
					return recordings.Record{}, io.EOF
				}
				if err := s.wait(ctx); err != nil {
					return recordings.Record{}, err
				}
				continue
			}
			name := s.files[s.i]
			if name == "-" {
				s.rd = recordings.NewReader(s.stdin, name)
			} else if bucket.IsURL(name) {
				rc, err := OpenBucket(ctx, name, s.Warn)
				if err != nil {
					return recordings.Record{}, err
				}
				s.rc = rc
				s.rd = recordings.NewReader(rc, name)
			} else {
				f, err := os.Open(at(s.Dir, name))
				if err != nil {
					return recordings.Record{}, fmt.Errorf("open input: %w", err)
				}
				if off := s.offset[name]; off > 0 {
					if _, err := f.Seek(off, io.SeekStart); err != nil {
						f.Close()
						return recordings.Record{}, fmt.Errorf("seek %s: %w", name, err)
					}
				}
				s.f = f
				s.rd = recordings.NewReader(f, name)
			}
		}
		rec, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			// In follow mode a torn (still being written) last line is re-read later: only
			// complete lines count as consumed.
			s.offset[s.files[s.i]] += s.rd.Consumed()
			s.lines[s.files[s.i]] += s.rd.ConsumedLines()
			s.Close()
			s.rd = nil
			s.i++
			continue
		}
		base := s.lines[s.files[s.i]]
		if err == nil {
			// the common case, apart so that le below (which escapes) is not allocated
			// for every record
			rec.Line += base
			return rec, nil
		}
		var le *recordings.LineError
		if s.w != nil && errors.As(err, &le) && le.Torn {
			continue // the writer has not finished this line: re-read it from Consumed later
		}
		if le != nil {
			le.Line += base
		}
		rec.Line += base
		return rec, err
	}
}

// wait blocks until a watched file changes, then queues the files to read again.
func (s *FileSource) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ch, ok := <-s.w:
		if !ok {
			return io.EOF
		}
		if ch.Kind == recordings.Removed || !s.wanted(ch.Path) {
			return nil
		}
		s.files = append(s.files, ch.Path)
		return nil
	}
}

// wanted reports whether a changed path is one of the inputs or inside an input directory.
func (s *FileSource) wanted(path string) bool {
	for _, r := range s.roots {
		if filepath.Clean(r) == filepath.Clean(path) || filepath.Clean(r) == filepath.Dir(path) {
			return true
		}
	}
	return false
}
