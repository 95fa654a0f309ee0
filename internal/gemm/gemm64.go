package gemm

// Tile and block sizes of the float64 product: the float32 ones with half
// as many columns to a tile (a register holds 4 doubles), so the packed
// blocks take the same bytes: a (mc64 x kc64, 144 KiB) in L2, one b panel
// (kc64 x 8, 16 KiB) in L1, a b block (kc64 x nc64) of 4 MiB. The panels
// of a are as high as float32's, mr rows, so that packA packs both.
const (
	mr64 = mr
	nr64 = 8
	mc64 = 72
	kc64 = 256
	nc64 = 2048
)

var pool64 = newPool[float64](mc64*kc64, kc64*nc64, mr64*nr64)

// MulAdd64 is MulAdd for float64 matrices: c (m, n) += a (m, k) · b (k, n),
// c row-major, on up to workers goroutines. Each element's products are
// summed as MulAdd's are (blocks of kc64 = 256 terms, in order), so the
// result is bitwise the same whatever the number of workers. It panics
// when the shapes disagree or a view reaches outside its data.
func MulAdd64(c, a, b Mat64, workers int) {
	// One worker per 2^19 multiply-adds at least (half MulAdd's figure: a
	// double costs about twice a float).
	split(c, a, b, workers, 19, mr64, nr64, mulAdd64)
}

// mulAdd64 is MulAdd64 on one goroutine.
//
// Packing pays when a packed panel is read many times. Where c has at most
// two tiles' worth of columns (n <= 2 nr64), each a panel is read at most
// twice, so the kernel reads a where it lies, through its strides; where c
// has at most two tiles' worth of rows and b is row-major, b likewise. A
// skinny product, such as a linear probe's scores or weight gradient over a
// few classes, then reads its large operand once, in place. Panels cut
// short by the edge of a or b are packed all the same, zero-padded. The
// kernel computes the same sums either way, so this changes no bit.
func mulAdd64(c, a, b Mat64) {
	m, n, k := c.Rows, c.Cols, a.Cols
	if m == 0 || n == 0 {
		return
	}
	directA := n <= 2*nr64
	directB := m <= 2*mr64 && b.CS == 1
	ws := pool64.Get().(*workspace[float64])
	defer pool64.Put(ws)
	for j0 := 0; j0 < n; j0 += nc64 {
		nb := min(nc64, n-j0)
		for l0 := 0; l0 < k; l0 += kc64 {
			kb := min(kc64, k-l0)
			if !directB {
				packB64(ws.b, b, l0, kb, j0, nb)
			}
			for i0 := 0; i0 < m; i0 += mc64 {
				mb := min(mc64, m-i0)
				if !directA {
					packA(ws.a, a, i0, mb, l0, kb)
				}
				for jr := 0; jr < nb; jr += nr64 {
					bp, ldb := ws.b[jr*kb:], nr64
					switch {
					case directB && jr+nr64 <= nb:
						bp, ldb = b.Data[l0*b.RS+j0+jr:], b.RS
					case directB:
						packB64(ws.b, b, l0, kb, j0+jr, nb-jr)
						bp = ws.b
					}
					for ir := 0; ir < mb; ir += mr64 {
						ap, rsA, csA := ws.a[ir*kb:], 1, mr64
						switch {
						case directA && ir+mr64 <= mb:
							ap, rsA, csA = a.Data[(i0+ir)*a.RS+l0*a.CS:], a.RS, a.CS
						case directA:
							packA(ws.a, a, i0+ir, mb-ir, l0, kb)
							ap = ws.a
						}
						ci := (i0+ir)*c.RS + j0 + jr
						if ir+mr64 <= mb && jr+nr64 <= nb {
							kernel64(kb, ap, rsA, csA, bp, ldb, c.Data[ci:], c.RS)
							continue
						}
						// An edge tile, as in mulAdd.
						tile := (*[mr64 * nr64]float64)(ws.tile)
						*tile = [mr64 * nr64]float64{}
						kernel64(kb, ap, rsA, csA, bp, ldb, tile[:], nr64)
						addTile(c.Data[ci:], c.RS, tile[:], nr64, min(mr64, mb-ir), min(nr64, nb-jr))
					}
				}
			}
		}
	}
}

// packB64 is packB for float64: panels of nr64 columns, zero past the
// block. A column-major b (RS 1, as the transpose of a row-major matrix)
// is read a column at a time, each column's kb elements in a row.
func packB64(dst []float64, b Mat64, l0, kb, j0, nb int) {
	for q := 0; q < nb; q += nr64 {
		d := dst[q*kb : q*kb+kb*nr64]
		cols := min(nr64, nb-q)
		if b.RS == 1 && b.CS != 1 {
			if cols < nr64 {
				clear(d)
			}
			for j := range cols {
				src := b.Data[l0+(j0+q+j)*b.CS:]
				for l, v := range src[:kb] {
					d[l*nr64+j] = v
				}
			}
			continue
		}
		for l := range kb {
			dl := d[l*nr64 : l*nr64+nr64]
			src := b.Data[(l0+l)*b.RS+(j0+q)*b.CS:]
			switch {
			case b.CS == 1 && cols == nr64:
				*(*[nr64]float64)(dl) = *(*[nr64]float64)(src)
			case b.CS == 1:
				copy(dl, src[:cols])
				clear(dl[cols:])
			default:
				for j := range cols {
					dl[j] = src[j*b.CS]
				}
				clear(dl[cols:])
			}
		}
	}
}

// kernel64Go is the float64 micro-kernel in Go: c (mr64, nr64, row stride
// ldc) += a (mr64 x kb, element (i, l) at a[i*rsA + l*csA]) · b (kb x
// nr64, row l at b[l*ldb:]), each element's products summed in order from
// zero, then added to c; one row of the tile at a time in eight scalar
// accumulators. A packed a panel has rsA 1 and csA mr64, a packed b panel
// ldb nr64.
func kernel64Go(kb int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	for i := range mr64 {
		var t0, t1, t2, t3, t4, t5, t6, t7 float64
		for l := range kb {
			av := a[i*rsA+l*csA]
			bl := (*[nr64]float64)(b[l*ldb:])
			t0 += av * bl[0]
			t1 += av * bl[1]
			t2 += av * bl[2]
			t3 += av * bl[3]
			t4 += av * bl[4]
			t5 += av * bl[5]
			t6 += av * bl[6]
			t7 += av * bl[7]
		}
		row := (*[nr64]float64)(c[i*ldc:])
		row[0] += t0
		row[1] += t1
		row[2] += t2
		row[3] += t3
		row[4] += t4
		row[5] += t5
		row[6] += t6
		row[7] += t7
	}
}
