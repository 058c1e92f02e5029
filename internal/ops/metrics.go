package ops

import (
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry returns a registry with the Go runtime and process collectors, so every
// ciosim server reports memory, goroutines and file descriptors besides its own metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// RecorderMetrics are the capturing receiver's metrics.
type RecorderMetrics struct {
	requests     *prometheus.CounterVec
	signatures   *prometheus.CounterVec
	captureBytes prometheus.Counter

	// The children counted on every stored capture, looked up once (on first use, so
	// /metrics lists only what happened): a label lookup per request hashed the labels and
	// formatted the status.
	stored   atomic.Pointer[prometheus.Counter]                      // requests{status="200"}
	verdicts [len(cachedVerdicts)]atomic.Pointer[prometheus.Counter] // signatures{verdict}
}

// cachedVerdicts are the signature verdicts whose counters Observe keeps at hand.
var cachedVerdicts = [...]string{"valid", "invalid", "absent", "unchecked"}

// SpoolStats is what the recorder's metrics read from the spool at each scrape.
type SpoolStats struct {
	Segments      int
	Bytes         int64
	OldestCapture time.Time // zero when nothing waits
	OldestClosed  time.Time // zero when no closed segment waits
	Uploaded      int64
	UploadedBytes int64
	UploadErrors  int64
}

// RecorderSources are read at scrape time; a nil func leaves its metrics out.
type RecorderSources struct {
	// Spool reports the object-storage spool (only with --store).
	Spool func() SpoolStats
	// ForwardQueue reports how many stored captures wait to be forwarded (with --forward).
	ForwardQueue func() int
	// Now is the clock for lags; nil means time.Now.
	Now func() time.Time
}

// NewRecorderMetrics registers the recorder's metrics on reg:
//
//	ciosim_record_requests_total{status}        requests answered, by HTTP status
//	ciosim_record_signatures_total{verdict}     stored captures by signature verdict
//	ciosim_record_capture_bytes_total           body bytes of stored captures
//	ciosim_spool_segments, ciosim_spool_bytes   what waits in the local spool
//	ciosim_spool_lag_seconds                    age of the oldest capture not yet shipped
//	ciosim_upload_lag_seconds                   age of the oldest closed segment not yet shipped
//	ciosim_uploads_total, ciosim_upload_bytes_total, ciosim_upload_errors_total
//	ciosim_forward_queue_depth                  captures waiting to be forwarded
func NewRecorderMetrics(reg prometheus.Registerer, src RecorderSources) *RecorderMetrics {
	m := &RecorderMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ciosim_record_requests_total",
			Help: "Webhook requests answered by the recorder, by HTTP status."}, []string{"status"}),
		signatures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ciosim_record_signatures_total",
			Help: "Stored captures by X-CIO-Signature verdict (valid, invalid, absent, unchecked)."}, []string{"verdict"}),
		captureBytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "ciosim_record_capture_bytes_total",
			Help: "Body bytes of stored captures."}),
	}
	reg.MustRegister(m.requests, m.signatures, m.captureBytes)
	now := src.Now
	if now == nil {
		now = time.Now
	}
	lag := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return now().Sub(t).Seconds()
	}
	if src.Spool != nil {
		g := func(name, help string, f func(SpoolStats) float64) {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
				func() float64 { return f(src.Spool()) }))
		}
		c := func(name, help string, f func(SpoolStats) float64) {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return f(src.Spool()) }))
		}
		g("ciosim_spool_segments", "Segments in the local spool (closed ones waiting for upload, plus the open one).",
			func(s SpoolStats) float64 { return float64(s.Segments) })
		g("ciosim_spool_bytes", "Bytes in the local spool not yet shipped.", func(s SpoolStats) float64 { return float64(s.Bytes) })
		g("ciosim_spool_lag_seconds", "Age of the oldest capture not yet shipped to the bucket (0 when none).",
			func(s SpoolStats) float64 { return lag(s.OldestCapture) })
		g("ciosim_upload_lag_seconds", "How long the oldest closed segment has waited for upload (0 when none).",
			func(s SpoolStats) float64 { return lag(s.OldestClosed) })
		c("ciosim_uploads_total", "Segments shipped to the bucket (upload confirmed).", func(s SpoolStats) float64 { return float64(s.Uploaded) })
		c("ciosim_upload_bytes_total", "Bytes shipped to the bucket, before compression.", func(s SpoolStats) float64 { return float64(s.UploadedBytes) })
		c("ciosim_upload_errors_total", "Failed upload attempts (the segment stays in the spool and is retried).",
			func(s SpoolStats) float64 { return float64(s.UploadErrors) })
	}
	if src.ForwardQueue != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ciosim_forward_queue_depth",
			Help: "Stored captures waiting to be forwarded."}, func() float64 { return float64(src.ForwardQueue()) }))
	}
	return m
}

// Observe counts one answered request; verdict and bytes count only for stored captures
// (status 200).
func (m *RecorderMetrics) Observe(status int, verdict string, bytes int) {
	if status != 200 {
		m.requests.WithLabelValues(strconv.Itoa(status)).Inc()
		return
	}
	cached(&m.stored, m.requests, "200").Inc()
	if i := slices.Index(cachedVerdicts[:], verdict); i >= 0 {
		cached(&m.verdicts[i], m.signatures, verdict).Inc()
	} else {
		m.signatures.WithLabelValues(verdict).Inc()
	}
	m.captureBytes.Add(float64(bytes))
}

// cached returns the child of vec for label, looked up once and kept in p.
func cached(p *atomic.Pointer[prometheus.Counter], vec *prometheus.CounterVec, label string) prometheus.Counter {
	if c := p.Load(); c != nil {
		return *c
	}
	c := vec.WithLabelValues(label)
	p.Store(&c)
	return c
}

// EmulatorMetrics are the emulator's metrics.
type EmulatorMetrics struct {
	records *prometheus.CounterVec
}

// NewEmulatorMetrics registers ciosim_emulator_records_total{flow,result}: the records the
// emulator accepted, good or bad, by dataflow id ("" for XDM messages, which carry none).
func NewEmulatorMetrics(reg prometheus.Registerer) *EmulatorMetrics {
	m := &EmulatorMetrics{records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ciosim_emulator_records_total",
		Help: "Records the emulator accepted, by dataflow and result (good: mapped and valid; bad: kept with reasons)."},
		[]string{"flow", "result"})}
	reg.MustRegister(m.records)
	return m
}

// Record counts one record.
func (m *EmulatorMetrics) Record(flow string, good bool) {
	result := "bad"
	if good {
		result = "good"
	}
	m.records.WithLabelValues(flow, result).Inc()
}
