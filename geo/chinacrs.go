package geo

import "math"

// Chinese map coordinate systems.
//
// WGS84 is what Tidewatch stores. Basemaps from Chinese providers are drawn
// in shifted systems:
//   - GCJ-02 ("火星坐标", AMap/高德, Tencent/腾讯, Google inside mainland
//     China): WGS84 plus a smooth, position-dependent shift of about
//     100–700 m, applied only inside mainland China;
//   - BD-09 (Baidu/百度): GCJ-02 plus Baidu's own closed-form shift;
//   - BD09MC: Baidu's tile projection, a Mercator-like plane in metres
//     computed from BD-09 by Baidu's published polynomial bands.
//
// Every function takes and returns (lon,lat) in decimal degrees, each in
// its named system. The GCJ-02 shift applies only where InChina is true;
// elsewhere WGS84 and GCJ-02 coincide (BD-09 still adds Baidu's shift,
// because Baidu applies it worldwide).

// Krasovsky 1940 ellipsoid constants of the GCJ-02 algorithm.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
	// bdXPi is Baidu's angular frequency (radians per degree) in BD-09.
	bdXPi = math.Pi * 3000.0 / 180.0
)

// gcjIterTol is the convergence tolerance of GCJ02ToWGS84 in degrees
// (1e-10° ≈ 0.01 mm).
const gcjIterTol = 1e-10

// WGS84ToGCJ02 returns the GCJ-02 position (lon,lat degrees) of the WGS84
// position p; points outside mainland China (InChina false) are returned
// unchanged.
func WGS84ToGCJ02(p Point) Point {
	if !InChina(p) {
		return p
	}
	return gcjShift(p)
}

// gcjShift applies the GCJ-02 forward formula unconditionally.
func gcjShift(p Point) Point {
	dLat := gcjLat(p.Lon-105.0, p.Lat-35.0)
	dLon := gcjLon(p.Lon-105.0, p.Lat-35.0)
	radLat := p.Lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return Point{Lon: p.Lon + dLon, Lat: p.Lat + dLat}
}

func gcjLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func gcjLon(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}

// GCJ02ToWGS84 returns the WGS84 position (lon,lat degrees) whose GCJ-02
// image is p. It iterates w ← w − (gcj(w) − p), which converges because the
// shift changes by less than 1e-4 of a step per step; it stops when the
// forward image is within 1e-10° (about 0.01 mm) of p, after at most 30
// steps. If the solution lies outside mainland China, p is returned
// unchanged (there GCJ-02 is WGS84). Within the width of the shift (≤ ~700 m)
// of the border two WGS84 points can share one GCJ-02 image; the one inside
// China wins.
func GCJ02ToWGS84(p Point) Point {
	w := p
	for range 30 {
		g := gcjShift(w)
		dLon, dLat := g.Lon-p.Lon, g.Lat-p.Lat
		w.Lon -= dLon
		w.Lat -= dLat
		if math.Abs(dLon) < gcjIterTol && math.Abs(dLat) < gcjIterTol {
			break
		}
	}
	if !InChina(w) {
		return p
	}
	return w
}

// GCJ02ToBD09 returns the BD-09 position (lon,lat degrees) of the GCJ-02
// position p by Baidu's closed form (applied everywhere).
func GCJ02ToBD09(p Point) Point {
	x, y := p.Lon, p.Lat
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return Point{Lon: z*math.Cos(theta) + 0.0065, Lat: z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 returns the GCJ-02 position (lon,lat degrees) of the BD-09
// position p. It starts from the standard closed-form inverse, which is off
// by up to about 0.2 m in the far west, and refines it by fixed-point steps
// g ← g − (bd(g) − p) until GCJ02ToBD09 maps it to within 1e-10° (about
// 0.01 mm) of p, so it is the exact inverse of GCJ02ToBD09.
func BD09ToGCJ02(p Point) Point {
	x, y := p.Lon-0.0065, p.Lat-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	g := Point{Lon: z * math.Cos(theta), Lat: z * math.Sin(theta)}
	for range 10 {
		b := GCJ02ToBD09(g)
		dLon, dLat := b.Lon-p.Lon, b.Lat-p.Lat
		g.Lon -= dLon
		g.Lat -= dLat
		if math.Abs(dLon) < gcjIterTol && math.Abs(dLat) < gcjIterTol {
			break
		}
	}
	return g
}

// WGS84ToBD09 returns the BD-09 position (lon,lat degrees) of the WGS84
// position p: GCJ-02 inside mainland China, then Baidu's shift.
func WGS84ToBD09(p Point) Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// BD09ToWGS84 returns the WGS84 position (lon,lat degrees) of the BD-09
// position p; the inverse of WGS84ToBD09.
func BD09ToWGS84(p Point) Point { return GCJ02ToWGS84(BD09ToGCJ02(p)) }

// Baidu's BD09MC bands: latitude bands (degrees) for LL→MC and northing
// bands (metres) for MC→LL, with ten coefficients each, as published in
// Baidu's JavaScript and Android SDKs.
var (
	bdLLBand = [6]float64{75, 60, 45, 30, 15, 0}
	bdMCBand = [6]float64{12890594.86, 8362377.87, 5591021, 3481989.83, 1678043.12, 0}
	bdLL2MC  = [6][10]float64{
		{-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880, -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5},
		{0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142, -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5},
		{0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455, -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5},
		{0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013, -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5},
		{-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378, 54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5},
		{-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093, 2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45},
	}
	bdMC2LL = [6][10]float64{
		{1.410526172116255e-8, 0.00000898305509648872, -1.9939833816331, 200.9824383106796, -187.2403703815547, 91.6087516669843, -23.38765649603339, 2.57121317296198, -0.03801003308653, 17337981.2},
		{-7.435856389565537e-9, 0.000008983055097726239, -0.78625201886289, 96.32687599759846, -1.85204757529826, -59.36935905485877, 47.40033549296737, -16.50741931063887, 2.28786674699375, 10260144.86},
		{-3.030883460898826e-8, 0.00000898305509983578, 0.30071316287616, 59.74293618442277, 7.357984074871, -25.38371002664745, 13.45380521110908, -3.29883767235584, 0.32710905363475, 6856817.37},
		{-1.981981304930552e-8, 0.000008983055099779535, 0.03278182852591, 40.31678527705744, 0.65659298677277, -4.44255534477492, 0.85341911805263, 0.12923347998204, -0.04625736007561, 4482777.06},
		{3.09191371068437e-9, 0.000008983055096812155, 0.00006995724062, 23.10934304144901, -0.00023663490511, -0.6321817810242, -0.00663494467273, 0.03430082397953, -0.00466043876332, 2555164.4},
		{2.890871144776878e-9, 0.000008983055095805407, -3.068298e-8, 7.47137025468032, -0.00000353937994, -0.02145144861037, -0.00001234426596, 0.00010322952773, -0.00000323890364, 826088.5},
	}
)

// bdConvert evaluates one BD09MC band polynomial at (x, y).
func bdConvert(x, y float64, c *[10]float64) (float64, float64) {
	ox := c[0] + c[1]*math.Abs(x)
	t := math.Abs(y) / c[9]
	oy := c[2] + t*(c[3]+t*(c[4]+t*(c[5]+t*(c[6]+t*(c[7]+t*c[8])))))
	return math.Copysign(ox, x), math.Copysign(oy, y)
}

// BD09ToBaiduMercator returns Baidu's tile-plane coordinates (BD09MC,
// metres east x and north y) of the BD-09 position p (lon,lat degrees).
// Like Baidu, it wraps lon into [-180,180] and clamps lat to [-74,74].
func BD09ToBaiduMercator(p Point) (x, y float64) {
	lon := math.Mod(p.Lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	lon -= 180
	lat := math.Max(-74, math.Min(74, p.Lat))
	return bdConvert(lon, lat, bdBand(lat))
}

// bdBand returns the LL2MC coefficients for latitude lat (degrees).
func bdBand(lat float64) *[10]float64 {
	for i, b := range bdLLBand {
		if math.Abs(lat) >= b {
			return &bdLL2MC[i]
		}
	}
	return &bdLL2MC[len(bdLL2MC)-1]
}

// BaiduMercatorToBD09 returns the BD-09 position (lon,lat degrees) of
// Baidu tile-plane coordinates x (metres east) and y (metres north). It
// starts from Baidu's published MC2LL bands, which are fitted separately
// from LL2MC and disagree with them by up to about 7 m near ±74°, then
// refines the latitude by Newton steps on LL2MC until the northing matches
// to 1 mm, so it inverts BD09ToBaiduMercator (within Baidu's lat range
// ±74°; beyond it the answer is clamped to ±74°).
func BaiduMercatorToBD09(x, y float64) Point {
	c := &bdMC2LL[len(bdMC2LL)-1]
	for i, b := range bdMCBand {
		if math.Abs(y) >= b {
			c = &bdMC2LL[i]
			break
		}
	}
	_, lat := bdConvert(x, y, c)
	lat = math.Max(-74, math.Min(74, lat))
	const h = 1e-6 // degrees, for the numeric derivative
	for range 20 {
		_, fy := bdConvert(0, lat, bdBand(lat))
		dy := fy - y
		if math.Abs(dy) < 1e-3 {
			break
		}
		_, fy2 := bdConvert(0, lat+h, bdBand(lat))
		lat -= dy * h / (fy2 - fy)
		lat = math.Max(-74, math.Min(74, lat))
	}
	b := bdBand(lat)
	lon := (math.Abs(x) - b[0]) / b[1]
	return Point{Lon: math.Copysign(lon, x), Lat: lat}
}

// chinaOutline is a simplified outline of mainland China (lon,lat degrees)
// for deciding where GCJ-02 applies, written down from well-known border
// and coast points: about 150 vertices, within a few kilometres of the
// border at border cities (Shenzhen, Zhuhai, Dongxing, Hekou, Ruili,
// Erenhot, Manzhouli, Heihe, Suifenhe, Hunchun, Dandong, Khorgos) and
// within tens of kilometres in remote mountains. At sea it runs well
// offshore, so coastal islands (Zhoushan, Pingtan, Xiamen, Hainan) are
// inside. It follows the boundary of China's standard map (标准地图).
//
// Holes and choices:
//   - Taiwan, Penghu, Kinmen and Matsu are outside: Taiwan and Penghu lie
//     beyond the offshore line, Kinmen and Matsu are holes;
//   - Hong Kong and Macau are outside (holes): the GCJ-02 rule of the
//     Surveying and Mapping Law covers the mainland, and Hong Kong and
//     Macau maps and Google's GCJ-02 China map leave them in WGS84. The
//     Shenzhen River and Gongbei borders are approximated to about 1 km;
//   - the Paracel Islands (Xisha, Sansha city) are a second polygon; the
//     Spratlys are left out.
var chinaOutline = MultiPolygon{
	{
		Ring{
			// Heilongjiang: Argun–Amur confluence, Amur east to Fuyuan.
			{121.5, 53.33}, {122.5, 53.45}, {123.3, 53.56}, {124.8, 53.15}, {125.6, 53.05},
			{126.3, 52.4}, {126.75, 51.7}, {127.3, 50.75}, {127.42, 50.4}, {127.46, 50.29}, {127.55, 50.24}, {127.75, 50.1}, {128.3, 49.6},
			{129.4, 49.4}, {130.6, 48.9}, {130.9, 47.95}, {131.6, 47.7}, {132.5, 47.72},
			{133.5, 48.1}, {134.5, 48.4}, {135.08, 48.45},
			// Ussuri south, Lake Khanka, Suifenhe, Hunchun to the Tumen mouth.
			{134.7, 48.1}, {134.1, 47.3}, {133.9, 46.6}, {133.5, 46.0}, {133.15, 45.5},
			{133.1, 45.05}, {132.0, 45.3}, {131.75, 45.2}, {131.45, 44.95}, {131.1, 44.7},
			{131.3, 44.35}, {131.25, 44.0}, {131.1, 43.5}, {131.3, 43.3}, {131.0, 42.9},
			{130.75, 42.55}, {130.65, 42.42},
			// Tumen and Yalu rivers (North Korea) to Dandong.
			{130.4, 42.6}, {130.0, 42.95}, {129.75, 42.95}, {129.3, 42.4}, {128.9, 42.05},
			{128.1, 41.98}, {128.2, 41.45}, {127.4, 41.45}, {126.9, 41.75}, {126.2, 41.1},
			{125.6, 40.8}, {125.0, 40.5}, {124.5, 40.18}, {124.35, 40.1},
			// Yellow Sea and East China Sea, offshore.
			{124.25, 39.8}, {123.4, 38.9}, {122.3, 38.4}, {123.1, 37.4}, {122.6, 36.6},
			{121.2, 35.7}, {120.3, 34.6}, {121.5, 33.0}, {122.3, 31.9}, {123.0, 31.0},
			{123.0, 29.9}, {122.6, 28.8}, {121.6, 27.4}, {120.7, 26.5}, {120.3, 26.0},
			{120.1, 25.3}, {119.3, 24.6}, {118.8, 24.1}, {117.8, 23.3}, {116.9, 22.8},
			{115.6, 22.4}, {114.8, 22.0},
			// South China Sea, round Hainan, Beibu Gulf to Dongxing.
			{113.7, 21.7}, {112.3, 21.35}, {111.2, 20.9}, {111.3, 19.8}, {110.9, 18.7},
			{110.0, 18.0}, {109.2, 17.95}, {108.4, 18.5}, {108.35, 19.3}, {108.7, 20.3},
			{108.3, 21.2}, {108.05, 21.45}, {107.97, 21.53},
			// Vietnam land border to the Laos tripoint.
			{107.35, 21.62}, {106.72, 21.97}, {106.62, 22.35}, {106.75, 22.6}, {106.72, 22.87},
			{106.2, 22.98}, {105.8, 22.98}, {105.32, 23.39}, {104.8, 23.0}, {104.3, 22.75},
			{103.955, 22.495}, {103.6, 22.8}, {103.0, 22.58}, {102.5, 22.75}, {102.14, 22.4},
			// Laos to the Mekong tripoint.
			{101.75, 22.1}, {101.8, 21.4}, {101.65, 21.15}, {101.2, 21.3}, {101.15, 21.57},
			// Myanmar.
			{100.6, 21.45}, {100.1, 21.68}, {99.9, 22.05}, {99.35, 22.1}, {99.3, 22.6},
			{99.5, 22.9}, {99.2, 23.2}, {98.88, 23.5}, {98.85, 24.15}, {98.2, 24.05},
			{97.85, 23.97}, {97.55, 24.15}, {97.55, 24.75}, {97.75, 25.1}, {98.2, 25.55},
			{98.65, 25.95}, {98.75, 26.7}, {98.5, 27.6}, {98.1, 28.2}, {97.35, 28.2},
			// India (Zangnan on China's standard map), Bhutan, Sikkim, Nepal.
			{96.5, 27.6}, {96.0, 27.25}, {95.2, 26.9}, {94.2, 27.3}, {93.0, 26.9},
			{92.1, 26.85}, {91.6, 27.3}, {91.65, 27.85}, {90.6, 28.05}, {89.9, 28.3},
			{89.15, 27.6}, {88.9, 27.25}, {88.75, 27.5}, {88.9, 27.9}, {88.15, 27.9},
			{86.9, 27.98}, {85.95, 27.95}, {85.3, 28.28}, {84.2, 28.8}, {83.2, 29.5},
			{82.1, 30.1}, {81.0, 30.25},
			// India and Kashmir (Aksai Chin), Pakistan, Afghanistan.
			{79.6, 30.9}, {78.75, 31.83}, {78.4, 32.5}, {79.45, 32.7}, {78.7, 33.7},
			{78.0, 34.4}, {77.8, 35.5}, {76.5, 35.88}, {75.43, 36.85}, {74.9, 37.1},
			{74.55, 37.05}, {74.9, 37.24},
			// Tajikistan, Kyrgyzstan, Kazakhstan.
			{74.85, 38.45}, {73.8, 39.0}, {73.5, 39.45}, {73.9, 39.75}, {75.4, 40.55},
			{76.5, 40.4}, {78.0, 41.0}, {78.45, 41.4}, {80.2, 42.0}, {80.25, 42.2},
			{80.1, 42.8}, {80.5, 43.0}, {80.8, 43.2}, {80.4, 44.2}, {80.4, 45.0},
			{81.9, 45.3}, {82.6, 45.25}, {82.3, 45.7}, {83.0, 46.4}, {82.85, 46.8},
			{83.1, 47.2}, {85.5, 47.05}, {85.6, 48.0}, {86.2, 48.45}, {86.8, 48.85},
			{87.3, 49.1}, {87.8, 49.17},
			// Mongolia.
			{88.8, 48.1}, {90.0, 47.9}, {90.9, 46.9}, {91.0, 46.0}, {90.7, 45.5},
			{92.5, 45.0}, {94.0, 44.8}, {95.4, 44.2}, {96.4, 42.7}, {97.2, 42.8},
			{100.0, 42.6}, {101.8, 42.5}, {103.8, 41.8}, {105.0, 41.55}, {106.8, 42.3},
			{109.3, 42.4}, {110.4, 42.8}, {111.9, 43.62}, {112.6, 44.8}, {113.6, 44.75},
			{114.5, 45.4}, {115.7, 45.45}, {116.6, 46.3}, {117.4, 46.55}, {118.3, 46.75},
			{119.7, 46.6}, {119.9, 46.9}, {119.1, 47.4}, {118.5, 47.95}, {117.8, 47.8},
			{117.4, 47.65}, {116.9, 47.85}, {115.9, 47.7}, {115.55, 48.1}, {115.8, 48.5},
			{116.7, 49.85},
			// Russia along the Argun back to the Amur.
			{117.85, 49.55}, {118.9, 49.95}, {119.35, 50.35}, {119.5, 51.0}, {120.1, 51.7},
			{121.0, 52.3}, {121.5, 53.33},
		},
		// Hong Kong.
		Ring{
			{113.82, 22.14}, {113.83, 22.40}, {113.90, 22.44}, {113.96, 22.49}, {114.025, 22.51},
			{114.07, 22.513}, {114.09, 22.523}, {114.11, 22.527}, {114.13, 22.54}, {114.16, 22.553},
			{114.19, 22.558}, {114.22, 22.548}, {114.26, 22.56}, {114.35, 22.52}, {114.45, 22.45},
			{114.50, 22.40}, {114.50, 22.14}, {113.82, 22.14},
		},
		// Macau.
		Ring{
			{113.525, 22.195}, {113.535, 22.21}, {113.548, 22.217}, {113.56, 22.215}, {113.60, 22.17},
			{113.60, 22.10}, {113.555, 22.10}, {113.552, 22.16}, {113.53, 22.17}, {113.525, 22.195},
		},
		// Kinmen.
		Ring{
			{118.20, 24.38}, {118.20, 24.44}, {118.25, 24.47}, {118.30, 24.51}, {118.42, 24.52},
			{118.50, 24.47}, {118.50, 24.38}, {118.20, 24.38},
		},
		// Matsu (Nangan, Beigan, Juguang).
		Ring{
			{119.88, 25.92}, {119.88, 26.27}, {120.05, 26.27}, {120.05, 25.92}, {119.88, 25.92},
		},
		// Matsu (Dongyin).
		Ring{
			{120.44, 26.33}, {120.44, 26.40}, {120.56, 26.40}, {120.56, 26.33}, {120.44, 26.33},
		},
	},
	// Paracel Islands (Xisha).
	{
		Ring{{111.1, 15.7}, {111.1, 17.2}, {112.9, 17.2}, {112.9, 15.7}, {111.1, 15.7}},
	},
}

// chinaBound is the bounding box of chinaOutline, a cheap first test.
var chinaBound = chinaOutline.Bound()

// InChina reports whether p (lon,lat degrees) lies inside the simplified
// outline of mainland China where GCJ-02 applies (see chinaOutline): not
// Taiwan, Penghu, Kinmen, Matsu, Hong Kong or Macau. Near the border the
// answer is only as good as the outline (about 1 km at border cities).
func InChina(p Point) bool {
	if !chinaBound.Contains(p) {
		return false
	}
	for _, pg := range chinaOutline {
		if pg.Contains(p) {
			return true
		}
	}
	return false
}
