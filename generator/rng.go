package generator

// Every random choice of a run is drawn from a stream keyed by (seed, domain, index): the
// workspace, each catalog event, each scenario customer, each delivery's plan and
// identifiers, and each scenario event have their own. Nothing depends on what was drawn
// before, so events can be built on every core and in any order with the same bytes, and a
// run need not remember its customers: a customer is re-derived from its index when needed.

// Stream domains. Changing one changes the bytes of every seed.
const (
	domWorkspace uint64 = iota + 1
	domEvent
	domPerson
	domDelivery
	domPlan
	domStream
	domStreamEvent
	domTemplate
	domPick
	domDevices
)

// splitmix is SplitMix64 as a math/rand Source64 whose state is set in one step.
type splitmix struct{ s uint64 }

func (x *splitmix) Uint64() uint64 {
	x.s += 0x9e3779b97f4a7c15
	return mix64(x.s)
}

func (x *splitmix) Int63() int64 { return int64(x.Uint64() >> 1) }
func (x *splitmix) Seed(s int64) { x.s = uint64(s) }

// mix64 is SplitMix64's finaliser: a bijection with good avalanche.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// streamKey is the starting state of the stream (seed, domain, index).
func streamKey(seed int64, domain, index uint64) uint64 {
	return mix64(mix64(uint64(seed)^domain*0xd6e8feb86659fd93) + index*0x9e3779b97f4a7c15)
}

// reseed points the generator's random source at the stream (domain, index) of its seed.
func (g *Generator) reseed(domain, index uint64) {
	g.src.s = streamKey(g.opts.Seed, domain, index)
}

// charsPerDraw is how many characters of an alphabet one 64-bit draw yields with negligible
// bias (the largest k with len^k <= 2^64, less for the decimal alphabet's tail).
func charsPerDraw(base uint64) int {
	switch base {
	case 10:
		return 19
	case 16:
		return 16
	case 64:
		return 10
	}
	k := 0
	for v := ^uint64(0); v >= base; v /= base {
		k++
	}
	return k
}

// appendChars appends n characters drawn from alphabet, several per random draw.
func (g *Generator) appendChars(dst []byte, n int, alphabet string) []byte {
	base := uint64(len(alphabet))
	per := charsPerDraw(base)
	var v uint64
	left := 0
	for range n {
		if left == 0 {
			v, left = g.src.Uint64(), per
		}
		dst = append(dst, alphabet[v%base])
		v /= base
		left--
	}
	return dst
}
