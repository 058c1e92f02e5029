package gsblob

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/api/googleapi"
	storage "google.golang.org/api/storage/v1"

	"gocloud.dev/blob/driver"
	"gocloud.dev/gcerrors"
)

const (
	// defaultPageSize is the number of objects a list page asks for when the caller gives none.
	defaultPageSize = 1000
	// attempts bounds how often an idempotent request is tried.
	attempts = 5
)

// bucket is a Cloud Storage bucket reached through the JSON API.
type bucket struct {
	name string
	svc  *storage.Service
	// sleep waits between retries; nil means a timer (tests make it instant).
	sleep func(context.Context, time.Duration) error
}

var _ driver.Bucket = (*bucket)(nil)

// unimplemented is the error of what ciosim never asks of a bucket.
type unimplemented string

func (e unimplemented) Error() string {
	return "gsblob: " + string(e) + " is not implemented by ciosim's gs:// driver"
}

// ErrorCode maps the JSON API's answers to gocloud's codes. Unlike gcsblob, 401 and 403 are
// PermissionDenied, not NotFound, so a bucket the credentials may not read says so.
func (b *bucket) ErrorCode(err error) gcerrors.ErrorCode {
	var u unimplemented
	if errors.As(err, &u) {
		return gcerrors.Unimplemented
	}
	switch {
	case errors.Is(err, context.Canceled):
		return gcerrors.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return gcerrors.DeadlineExceeded
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return gcerrors.Unknown
	}
	switch ge.Code {
	case http.StatusNotFound:
		return gcerrors.NotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return gcerrors.PermissionDenied
	case http.StatusBadRequest, http.StatusRequestedRangeNotSatisfiable:
		return gcerrors.InvalidArgument
	case http.StatusConflict:
		return gcerrors.AlreadyExists
	case http.StatusPreconditionFailed, http.StatusNotModified:
		return gcerrors.FailedPrecondition
	case http.StatusTooManyRequests:
		return gcerrors.ResourceExhausted
	case http.StatusNotImplemented:
		return gcerrors.Unimplemented
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return gcerrors.DeadlineExceeded
	}
	if ge.Code >= 500 {
		return gcerrors.Internal
	}
	return gcerrors.Unknown
}

// As exposes the *storage.Service.
func (b *bucket) As(i any) bool {
	p, ok := i.(**storage.Service)
	if ok {
		*p = b.svc
	}
	return ok
}

// ErrorAs exposes *googleapi.Error.
func (b *bucket) ErrorAs(err error, i any) bool {
	if p, ok := i.(**googleapi.Error); ok {
		return errors.As(err, p)
	}
	return false
}

// retryable reports whether an idempotent request that failed with err may succeed if sent
// again.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case http.StatusRequestTimeout, http.StatusTooManyRequests:
			return true
		}
		return ge.Code >= 500 && ge.Code != http.StatusNotImplemented
	}
	// A connection closed before the answer (io.EOF from the transport) or during it.
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retry runs f until it succeeds, fails for good, or has been tried [attempts] times, waiting
// 100 ms, 200 ms, 400 ms, ... (at most 3 s) in between.
func (b *bucket) retry(ctx context.Context, f func() error) error {
	wait := 100 * time.Millisecond
	for n := 1; ; n++ {
		err := f()
		if n == attempts || !retryable(err) {
			return err
		}
		if serr := b.pause(ctx, wait); serr != nil {
			return err
		}
		wait = min(2*wait, 3*time.Second)
	}
}

func (b *bucket) pause(ctx context.Context, d time.Duration) error {
	if b.sleep != nil {
		return b.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ListPaged lists one page of objects (and, with a delimiter, "directories") in key order.
func (b *bucket) ListPaged(ctx context.Context, opts *driver.ListOptions) (*driver.ListPage, error) {
	if opts.BeforeList != nil {
		if err := opts.BeforeList(func(any) bool { return false }); err != nil {
			return nil, err
		}
	}
	size := opts.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	call := b.svc.Objects.List(b.name).Context(ctx).MaxResults(int64(size)).
		Fields("nextPageToken", "prefixes", "items(name,size,updated,md5Hash)")
	if opts.Prefix != "" {
		call.Prefix(opts.Prefix)
	}
	if opts.Delimiter != "" {
		call.Delimiter(opts.Delimiter)
	}
	if len(opts.PageToken) > 0 {
		call.PageToken(string(opts.PageToken))
	}
	var res *storage.Objects
	err := b.retry(ctx, func() (err error) {
		res, err = call.Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &driver.ListPage{NextPageToken: []byte(res.NextPageToken)}
	for _, o := range res.Items {
		md5, _ := base64.StdEncoding.DecodeString(o.Md5Hash)
		page.Objects = append(page.Objects, &driver.ListObject{
			Key: o.Name, ModTime: parseTime(o.Updated), Size: int64(o.Size), MD5: md5,
		})
	}
	for _, p := range res.Prefixes {
		page.Objects = append(page.Objects, &driver.ListObject{Key: p, IsDir: true})
	}
	// The JSON API gives the objects, then the prefixes; gocloud wants one key order.
	slices.SortFunc(page.Objects, func(x, y *driver.ListObject) int { return strings.Compare(x.Key, y.Key) })
	return page, nil
}

// parseTime reads an RFC 3339 time from the JSON API, the zero time when absent or invalid.
func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// object fetches an object's metadata.
func (b *bucket) object(ctx context.Context, key string) (*storage.Object, error) {
	var o *storage.Object
	err := b.retry(ctx, func() (err error) {
		o, err = b.svc.Objects.Get(b.name, key).Context(ctx).Do()
		return err
	})
	return o, err
}

// Attributes returns an object's metadata.
func (b *bucket) Attributes(ctx context.Context, key string) (*driver.Attributes, error) {
	o, err := b.object(ctx, key)
	if err != nil {
		return nil, err
	}
	md5, _ := base64.StdEncoding.DecodeString(o.Md5Hash)
	etag := o.Etag
	if etag != "" && !strings.HasPrefix(etag, `"`) && !strings.HasPrefix(etag, `W/"`) {
		etag = strconv.Quote(etag) // as gcsblob: an HTTP entity tag is quoted
	}
	return &driver.Attributes{
		CacheControl:       o.CacheControl,
		ContentDisposition: o.ContentDisposition,
		ContentEncoding:    o.ContentEncoding,
		ContentLanguage:    o.ContentLanguage,
		ContentType:        o.ContentType,
		Metadata:           o.Metadata,
		CreateTime:         parseTime(o.TimeCreated),
		ModTime:            parseTime(o.Updated),
		Size:               int64(o.Size),
		MD5:                md5,
		ETag:               etag,
		AsFunc: func(i any) bool {
			p, ok := i.(*storage.Object)
			if ok {
				*p = *o
			}
			return ok
		},
	}, nil
}

// reader streams an object's bytes.
type reader struct {
	body  io.ReadCloser
	attrs driver.ReaderAttributes
}

func (r *reader) Read(p []byte) (int, error)           { return r.body.Read(p) }
func (r *reader) Close() error                         { return r.body.Close() }
func (r *reader) Attributes() *driver.ReaderAttributes { return &r.attrs }
func (r *reader) As(any) bool                          { return false }
func emptyReader(o *storage.Object) *reader            { return &reader{body: http.NoBody, attrs: objectAttrs(o)} }
func objectAttrs(o *storage.Object) driver.ReaderAttributes {
	return driver.ReaderAttributes{ContentType: o.ContentType, ModTime: parseTime(o.Updated), Size: int64(o.Size)}
}

// NewRangeReader reads length bytes of an object from offset (to the end when length < 0).
// A length of 0, or an offset at or past the end, reads nothing but still checks that the
// object exists and gives its attributes.
func (b *bucket) NewRangeReader(ctx context.Context, key string, offset, length int64, opts *driver.ReaderOptions) (driver.Reader, error) {
	if opts != nil && opts.BeforeRead != nil {
		if err := opts.BeforeRead(func(any) bool { return false }); err != nil {
			return nil, err
		}
	}
	if length == 0 {
		o, err := b.object(ctx, key)
		if err != nil {
			return nil, err
		}
		return emptyReader(o), nil
	}
	var res *http.Response
	err := b.retry(ctx, func() (err error) {
		call := b.svc.Objects.Get(b.name, key).Context(ctx)
		switch {
		case length > 0:
			call.Header().Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
		case offset > 0:
			call.Header().Set("Range", fmt.Sprintf("bytes=%d-", offset))
		}
		res, err = call.Download()
		return err
	})
	var ge *googleapi.Error
	if errors.As(err, &ge) && ge.Code == http.StatusRequestedRangeNotSatisfiable {
		o, oerr := b.object(ctx, key)
		if oerr != nil {
			return nil, oerr
		}
		if offset >= int64(o.Size) {
			return emptyReader(o), nil
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	r := &reader{body: res.Body, attrs: driver.ReaderAttributes{ContentType: res.Header.Get("Content-Type"), Size: res.ContentLength}}
	if t, err := http.ParseTime(res.Header.Get("Last-Modified")); err == nil {
		r.attrs.ModTime = t
	}
	// The object's size, not the range's: from Content-Range ("bytes 0-9/123") or the
	// stored length.
	if cr := res.Header.Get("Content-Range"); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				r.attrs.Size = n
			}
		}
	} else if n, err := strconv.ParseInt(res.Header.Get("X-Goog-Stored-Content-Length"), 10, 64); err == nil {
		r.attrs.Size = n
	}
	return r, nil
}

// writer uploads what is written to it through a pipe read by the upload request; the
// object exists once Close returns nil.
type writer struct {
	ctx  context.Context
	pw   *io.PipeWriter
	done chan struct{}
	err  error // the upload's result, set before done is closed
}

func (w *writer) Write(p []byte) (int, error) { return w.pw.Write(p) }

// Close finishes the upload and waits for its answer. If the writer's context is done the
// upload is abandoned: the object is not created or changed.
func (w *writer) Close() error {
	if err := w.ctx.Err(); err != nil {
		w.pw.CloseWithError(err)
		<-w.done
		return err
	}
	w.pw.Close()
	<-w.done
	return w.err
}

// NewTypedWriter starts an upload of key. Objects up to the chunk size (opts.BufferSize,
// 16 MiB by default) go in one request; larger ones as a resumable upload, chunk by chunk,
// each chunk retried by the client. A negative BufferSize sends everything in one request
// without buffering (not retried).
func (b *bucket) NewTypedWriter(ctx context.Context, key, contentType string, opts *driver.WriterOptions) (driver.Writer, error) {
	if opts.BeforeWrite != nil {
		if err := opts.BeforeWrite(func(any) bool { return false }); err != nil {
			return nil, err
		}
	}
	obj := &storage.Object{
		Name:               key,
		CacheControl:       opts.CacheControl,
		ContentDisposition: opts.ContentDisposition,
		ContentEncoding:    opts.ContentEncoding,
		ContentLanguage:    opts.ContentLanguage,
		ContentType:        contentType,
		Metadata:           opts.Metadata,
	}
	if len(opts.ContentMD5) > 0 {
		obj.Md5Hash = base64.StdEncoding.EncodeToString(opts.ContentMD5)
	}
	chunk := opts.BufferSize
	switch {
	case chunk == 0:
		chunk = googleapi.DefaultUploadChunkSize
	case chunk < 0:
		chunk = 0
	}
	// gocloud has sniffed the type when none was given; an empty one is sent as none.
	media := []googleapi.MediaOption{googleapi.ChunkSize(chunk), googleapi.ContentType(contentType)}
	pr, pw := io.Pipe()
	call := b.svc.Objects.Insert(b.name, obj).Context(ctx).Fields("name")
	if opts.IfNotExist {
		call.IfGenerationMatch(0)
	}
	w := &writer{ctx: ctx, pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		// Media reads the first chunk, so it runs here, beside the writes that fill it.
		_, err := call.Media(pr, media...).Do()
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		w.err = err
		if err == nil {
			err = errors.New("gsblob: upload finished before the writer was closed")
		}
		pr.CloseWithError(err) // unblocks a Write the request will never read
	}()
	return w, nil
}

// Copy is not used by ciosim.
func (b *bucket) Copy(context.Context, string, string, *driver.CopyOptions) error {
	return unimplemented("Copy")
}

// Delete removes an object. It is not retried: a delete that succeeded but whose answer was
// lost would be reported as NotFound.
func (b *bucket) Delete(ctx context.Context, key string, opts *driver.DeleteOptions) error {
	if opts != nil && opts.BeforeDelete != nil {
		if err := opts.BeforeDelete(func(any) bool { return false }); err != nil {
			return err
		}
	}
	return b.svc.Objects.Delete(b.name, key).Context(ctx).Do()
}

// SignedURL is not used by ciosim.
func (b *bucket) SignedURL(context.Context, string, *driver.SignedURLOptions) (string, error) {
	return "", unimplemented("SignedURL")
}

// Close releases nothing: the HTTP client's idle connections close on their own.
func (b *bucket) Close() error { return nil }
