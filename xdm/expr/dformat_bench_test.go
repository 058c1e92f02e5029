package expr

import "testing"

func BenchmarkDformat(b *testing.B) {
	p, err := Compile(`dformat(timestamp * 1000, "yyyy-MM-dd'T'HH:mm:ssXXX")`)
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Root: map[string]any{"timestamp": int64(1613063089)}, Cache: &Cache{}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		env.Reset(env.Root)
		if _, err := p.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
