package wiring

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
)

// WatchChanges adapts recordings.Watch to the TUI's change channel. The channel closes
// when ctx ends (the watcher closes its own).
func WatchChanges(ctx context.Context, dirs []string) (<-chan tui.FileChange, error) {
	in, err := recordings.WatchWith(ctx, recordings.WatchOptions{Exts: []string{".jsonl", ".ndjson", ".yaml", ".yml", ".json"}}, dirs...)
	if err != nil {
		return nil, err
	}
	out := make(chan tui.FileChange)
	go func() {
		defer close(out)
		for c := range in {
			select {
			case out <- tui.FileChange{Path: c.Path, Removed: c.Kind == recordings.Removed}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// recorder adapts the recordings capture handler and store to tui.Recorder: Start listens on
// addr and appends every webhook request to the store in dir (a watched folder, so the file
// shows up in the source pane too); each stored capture is also handed to the TUI.
type recorder struct {
	addr string
	dir  string
	key  secret.Secret
	ch   chan recordings.Capture

	mu         sync.Mutex
	listenAddr string // the address listened on while recording
	srv        *http.Server
	store      *recordings.Store
	done       chan error
}

var _ tui.Recorder = (*recorder)(nil)

func NewRecorder(addr, dir string, key secret.Secret) *recorder {
	return &recorder{addr: addr, dir: dir, key: key, ch: make(chan recordings.Capture, 1024)}
}

func (r *recorder) Captures() <-chan recordings.Capture { return r.ch }

func (r *recorder) Start(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return "", errors.New("already recording")
	}
	st, err := recordings.OpenStore(r.dir, recordings.StoreOptions{})
	if err != nil {
		return "", err
	}
	ln, err := httpserve.Listen(r.addr, httpserve.Config{})
	if err != nil {
		st.Close()
		return "", fmt.Errorf("record: %w", err)
	}
	h := recordings.NewHandler(st, recordings.HandlerOptions{Key: r.key, OnResult: func(res recordings.Result) {
		if res.Err != nil {
			return
		}
		select {
		case r.ch <- res.Capture:
		default: // the screen is behind; the capture is in the file regardless
		}
	}})
	r.srv = httpserve.Server(h, httpserve.Config{})
	r.listenAddr = ln.Addr().String()
	r.store = st
	r.done = make(chan error, 1)
	srv, done := r.srv, r.done
	go func() { done <- srv.Serve(ln) }()
	return ln.Addr().String(), nil
}

func (r *recorder) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv == nil {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := r.srv.Shutdown(sctx)
	if serr := <-r.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := r.store.Close(); err == nil {
		err = cerr
	}
	r.srv, r.store = nil, nil
	return err
}
