package envelope

import "github.com/tributary-cdc/tributary/schema"

// The streaming loop and the snapshot build a key and a value struct for
// every row; these variants of KeyStruct and Value produce equal structs
// with fewer allocations.

// ValueOver is Value writing the value struct's values over row instead
// of into a new slice: the caller gives row up. Structs that read row
// (KeyStruct) must be built before.
func (t *Table) ValueOver(row []any) *schema.Struct {
	v := row[:len(t.Columns)]
	for i := range v {
		v[i] = t.fill(i, v[i], true)
	}
	return &schema.Struct{Schema: t.ValueSchema, Values: v}
}

// KeyStructPacked is KeyStruct with a one-column key's struct and values
// in one allocation.
func (t *Table) KeyStructPacked(row []any) *schema.Struct {
	if t.KeySchema == nil || len(t.Key) != 1 {
		return t.KeyStruct(row)
	}
	blk := &struct {
		st schema.Struct
		v  [1]any
	}{}
	p := t.Key[0]
	blk.v[0] = t.fill(p, row[p], false)
	blk.st = schema.Struct{Schema: t.KeySchema, Values: blk.v[:]}
	return &blk.st
}
