package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/linkedin/goavro/v2"
	"github.com/twpayne/go-geom/encoding/ewkb"
	"github.com/twpayne/go-geom/encoding/wkt"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
)

// postgisDDL has PostGIS columns of every shape: geometry with and without
// an SRID, a typed polygon, a NOT NULL geometry, geography (SRID 4326 by
// default) and arrays of both. scripts/install-deps installs PostGIS.
const postgisDDL = `CREATE EXTENSION postgis;
CREATE TABLE public.geo(
	id int PRIMARY KEY,
	g geometry, g_poly geometry(Polygon, 3857), g_nn geometry NOT NULL,
	gg geography(Point, 4326), gg_nn geography NOT NULL,
	g_arr geometry[], gg_arr geography[])`

// postgisRows are the values of two rows: every column set, then NULLs
// wherever allowed.
var postgisRows = []string{
	`'POINT(30.5 10)', 'SRID=3857;POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))', 'POINT Z (1 2 3)',
	'SRID=4326;POINT(-71.06 42.36)', 'LINESTRING(0 0,1 1)',
	ARRAY['POINT(1 2)', 'SRID=3857;LINESTRING(0 0,1 1)', NULL]::geometry[],
	ARRAY['POINT(1 2)', NULL, 'SRID=4326;POLYGON((0 0,1 0,1 1,0 0))']::geography[]`,
	`NULL, NULL, 'GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))', NULL, 'POINT(0 0)', NULL, NULL`,
}

var (
	geoScalarColumns = []string{"g", "g_poly", "g_nn", "gg", "gg_nn"}
	geoArrayColumns  = []string{"g_arr", "gg_arr"}
)

// TestPostGIS snapshots and streams PostGIS columns and checks every value
// against PostGIS itself: the wkb, decoded by an independent EWKB library
// (go-geom), is the geometry ST_AsText describes with the SRID ST_SRID
// reports, and its bytes are ST_AsEWKB's; the srid field is that SRID (null
// for none). The JsonConverter schemas match the golden file written from
// Debezium's Geometry and Geography, and the AvroConverter round-trips the
// values.
func TestPostGIS(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, postgisDDL,
		`INSERT INTO public.geo VALUES (1, `+postgisRows[0]+`), (2, `+postgisRows[1]+`)`)
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	raw, err := os.ReadFile("testdata/types/postgis.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Columns []map[string]any `json:"columns"`
		Values  map[string]any   `json:"values"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, pg, map[string]string{
		"table.include.list": "public.geo",
		"slot.name":          "postgis",
		"publication.name":   "postgis",
	})
	h.start()
	snap := h.poll(2)
	for _, r := range snap {
		checkPostGISRecord(t, conn, "snapshot", r)
	}
	fields, after := renderAfter(t, snap[0])
	for _, want := range golden.Columns {
		col := want["field"].(string)
		if !reflect.DeepEqual(fields[col], want) {
			got, _ := json.Marshal(fields[col])
			wantJSON, _ := json.Marshal(want)
			t.Errorf("%s schema:\n got %s\nwant %s", col, got, wantJSON)
		}
	}
	for col, want := range golden.Values {
		if !reflect.DeepEqual(after[col], want) {
			t.Errorf("%s value: got %v, want %v", col, after[col], want)
		}
	}

	// The same rows streamed, then an UPDATE of a geometry.
	if _, err := conn.Exec(t.Context(), `INSERT INTO public.geo VALUES (3, `+postgisRows[0]+`), (4, `+postgisRows[1]+`)`); err != nil {
		t.Fatal(err)
	}
	streamed := h.poll(2)
	for i, r := range streamed {
		if op(t, r) != "c" {
			t.Fatalf("op %s", op(t, r))
		}
		checkPostGISRecord(t, conn, "streaming", r)
		snapFields, snapAfter := renderAfter(t, snap[i])
		streamFields, streamAfter := renderAfter(t, r)
		delete(snapAfter, "id")
		delete(streamAfter, "id")
		if !reflect.DeepEqual(snapFields, streamFields) || !reflect.DeepEqual(snapAfter, streamAfter) {
			t.Errorf("row %d: snapshot and streaming differ:\n%v\n%v", i, snapAfter, streamAfter)
		}
	}
	if _, err := conn.Exec(t.Context(), `UPDATE public.geo SET g = 'SRID=4326;MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))',
		g_arr = ARRAY['SRID=4326;POINT(5 6)']::geometry[] WHERE id = 4`); err != nil {
		t.Fatal(err)
	}
	updated := h.poll(1)[0]
	if op(t, updated) != "u" {
		t.Fatalf("op %s", op(t, updated))
	}
	checkPostGISRecord(t, conn, "update", updated)
	checkPostGISAvro(t, updated)
}

// checkPostGISRecord compares every PostGIS column of a record's after
// struct with what PostGIS says of the row now.
func checkPostGISRecord(t *testing.T, conn *pgx.Conn, path string, r connect.SourceRecord) {
	t.Helper()
	a := after(t, r)
	id := a.Get("id").(int32)
	for _, col := range geoScalarColumns {
		var text *string
		var srid int32
		var ewkbBytes []byte
		err := conn.QueryRow(t.Context(), `SELECT ST_AsText(`+col+`), COALESCE(ST_SRID(`+col+`), 0), ST_AsEWKB(`+col+`::geometry)
			FROM public.geo WHERE id = $1`, id).Scan(&text, &srid, &ewkbBytes)
		if err != nil {
			t.Fatal(err)
		}
		checkGeoValue(t, path, id, col, a.Get(col), text, srid, ewkbBytes)
	}
	for _, col := range geoArrayColumns {
		var texts []*string
		var srids []*int32
		var ewkbs [][]byte
		err := conn.QueryRow(t.Context(), `SELECT array_agg(ST_AsText(e) ORDER BY o), array_agg(ST_SRID(e) ORDER BY o),
				array_agg(ST_AsEWKB(e::geometry) ORDER BY o)
			FROM public.geo, unnest(`+col+`) WITH ORDINALITY AS u(e, o) WHERE id = $1`, id).Scan(&texts, &srids, &ewkbs)
		if err != nil {
			t.Fatal(err)
		}
		v := a.Get(col)
		if texts == nil {
			if v != nil {
				t.Errorf("%s row %d %s: got %v for NULL", path, id, col, v)
			}
			continue
		}
		items, ok := v.([]any)
		if !ok || len(items) != len(texts) {
			t.Errorf("%s row %d %s: got %#v, want %d elements", path, id, col, v, len(texts))
			continue
		}
		for i := range items {
			var srid int32
			if srids[i] != nil {
				srid = *srids[i]
			}
			checkGeoValue(t, path, id, col, items[i], texts[i], srid, ewkbs[i])
		}
	}
}

// wktSpace is the white space WKT writers differ on: around parentheses
// and commas.
var wktSpace = regexp.MustCompile(`\s*([(),])\s*`)

func checkGeoValue(t *testing.T, path string, id int32, col string, v any, text *string, srid int32, ewkbBytes []byte) {
	t.Helper()
	if text == nil {
		if v != nil {
			t.Errorf("%s row %d %s: got %v for NULL", path, id, col, v)
		}
		return
	}
	st, ok := v.(*schema.Struct)
	if !ok {
		t.Errorf("%s row %d %s: got %#v", path, id, col, v)
		return
	}
	wkb := st.Get("wkb").([]byte)
	if !bytes.Equal(wkb, ewkbBytes) {
		t.Errorf("%s row %d %s: wkb %x, PostGIS EWKB %x", path, id, col, wkb, ewkbBytes)
	}
	g, err := ewkb.Unmarshal(wkb)
	if err != nil {
		t.Errorf("%s row %d %s: go-geom cannot read wkb %x: %v", path, id, col, wkb, err)
		return
	}
	got, err := wkt.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if wktSpace.ReplaceAllString(got, "$1") != wktSpace.ReplaceAllString(*text, "$1") {
		t.Errorf("%s row %d %s: go-geom reads %s, PostGIS says %s", path, id, col, got, *text)
	}
	if int32(g.SRID()) != srid {
		t.Errorf("%s row %d %s: go-geom reads SRID %d, PostGIS says %d", path, id, col, g.SRID(), srid)
	}
	var wantSRID any
	if srid != 0 {
		wantSRID = srid
	}
	if st.Get("srid") != wantSRID {
		t.Errorf("%s row %d %s: srid %v, want %v", path, id, col, st.Get("srid"), wantSRID)
	}
}

// checkPostGISAvro encodes the record with the AvroConverter, decodes it
// with goavro and the registered schema, and checks that the geometry
// values come back whole.
func checkPostGISAvro(t *testing.T, r connect.SourceRecord) {
	t.Helper()
	reg := &memRegistry{}
	conv, err := avro.New(map[string]string{}, false, reg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := conv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatalf("Avro encoding: %v", err)
	}
	id, body, err := avro.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(reg.text(id))
	if err != nil {
		t.Fatal(err)
	}
	native, _, err := codec.NativeFromBinary(body)
	if err != nil {
		t.Fatalf("decoding Avro: %v", err)
	}
	got := unionValue(native.(map[string]any)["after"]).(map[string]any)
	a := after(t, r)
	for _, col := range geoScalarColumns {
		checkAvroGeo(t, col, unionValue(got[col]), a.Get(col))
	}
	for _, col := range geoArrayColumns {
		items, _ := unionValue(got[col]).([]any)
		want, _ := a.Get(col).([]any)
		if len(items) != len(want) {
			t.Errorf("Avro %s: %d elements, want %d", col, len(items), len(want))
			continue
		}
		for i := range items {
			checkAvroGeo(t, col, unionValue(items[i]), want[i])
		}
	}
}

func checkAvroGeo(t *testing.T, col string, got, want any) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("Avro %s: %v for null", col, got)
		}
		return
	}
	st := want.(*schema.Struct)
	rec, ok := got.(map[string]any)
	if !ok {
		t.Errorf("Avro %s: %#v", col, got)
		return
	}
	srid := unionValue(rec["srid"])
	if !bytes.Equal(rec["wkb"].([]byte), st.Get("wkb").([]byte)) || !reflect.DeepEqual(srid, st.Get("srid")) {
		t.Errorf("Avro %s: %v, want wkb %x srid %v", col, rec, st.Get("wkb"), st.Get("srid"))
	}
}
