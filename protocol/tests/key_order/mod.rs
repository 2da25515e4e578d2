//! Frames re-encoded with their tags somewhere other than first. Our encoders write an enum's
//! tag (`type`, `kind`, `outcome`) before its fields, and decoding reads it first without
//! buffering; a client may write the keys in any order (JSON typed by hand), and those frames
//! must decode to the same value by serde's buffered read.

use protocol::Codec;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// The keys that tag our internally tagged enums. A struct field of the same name (an order's
/// `kind`) moves too, which changes nothing for a struct.
const TAGS: [&str; 3] = ["type", "kind", "outcome"];

/// Where a map's tag goes, by the map's depth in the frame (0 = the frame itself).
#[derive(Clone, Copy, Debug)]
pub enum TagPlace {
    /// First in every map, as our encoders write it: the tag-first read at every level.
    First,
    /// Last in every map: serde's buffered read at every level.
    Last,
    /// Last at even depths, first at odd ones: the two reads nested inside each other.
    Alternating,
}

impl TagPlace {
    pub const ALL: [TagPlace; 3] = [TagPlace::First, TagPlace::Last, TagPlace::Alternating];

    fn tag_last(self, depth: usize) -> bool {
        match self {
            TagPlace::First => false,
            TagPlace::Last => true,
            TagPlace::Alternating => depth % 2 == 0,
        }
    }
}

/// `value` encoded by `codec` with its tags placed as `order` says.
pub fn reencode<T: Serialize>(codec: Codec, value: &T, order: TagPlace) -> Vec<u8> {
    let value = serde_json::to_value(value).unwrap();
    let reordered = Reordered {
        value: &value,
        order,
        depth: 0,
    };
    codec.encode(&reordered).unwrap().to_vec()
}

struct Reordered<'a> {
    value: &'a Value,
    order: TagPlace,
    depth: usize,
}

impl Reordered<'_> {
    fn inner<'b>(&self, value: &'b Value) -> Reordered<'b> {
        Reordered {
            value,
            order: self.order,
            depth: self.depth + 1,
        }
    }
}

impl Serialize for Reordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(fields) => {
                let is_tag = |k: &String| TAGS.contains(&k.as_str());
                let tags = fields.iter().filter(|(k, _)| is_tag(k));
                let rest = fields.iter().filter(|(k, _)| !is_tag(k));
                let ordered: Vec<_> = if self.order.tag_last(self.depth) {
                    rest.chain(tags).collect()
                } else {
                    tags.chain(rest).collect()
                };
                let mut map = s.serialize_map(Some(ordered.len()))?;
                for (k, v) in ordered {
                    map.serialize_entry(k, &self.inner(v))?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&self.inner(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}
