//! Reading an internally tagged enum tag first, without serde's buffer.
//!
//! The envelope's enums are internally tagged: `{"type": "call", "call": {…}}`. serde's derive
//! cannot know that the tag comes first, so it reads the whole map into its private `Content`
//! buffer, finds the tag, then reads the variant again from the buffer — at every nested level
//! (a pushed call is `ServerFrame` → `Event` → `EventKind` → `Call` → `Intent`). That made
//! decoding an event four times as slow as encoding it, and a quarter of a tablet's CPU in a
//! reconnect storm.
//!
//! Our own encoders always write the tag first (serde serializes it before the fields). So the
//! [`tagged_enum!`] macro gives each enum a `Deserialize` that reads the first key of the map:
//!
//! - when it is the tag, the tag's value names the variant, and the variant is read straight
//!   from the rest of the map by serde's own code for an *externally* tagged enum (a copy of the
//!   enum that the macro derives `Deserialize` on with `#[serde(remote)]`);
//! - when it is not (a map typed by hand, in any order), the key is handed back and serde's own
//!   internally tagged read does the rest, buffer and all (a second copy, derived as written),
//!   at about what every frame cost before.
//!
//! Both copies carry every `#[serde(…)]` attribute of the variants and fields as written, so
//! every rule — names, defaults, `deserialize_with`, unknown fields ignored — and every error
//! message is serde's own ("unknown variant …, expected one of …", "missing field …"). The
//! wire format does not change in either codec. A JSON error found on the fast path now says
//! where (`at line 1 column 15`), which serde's read from its buffer could not.
//!
//! Where it differs from serde's read, only for input our encoders never write:
//!
//! - a second tag after the first is ignored like any unknown field (serde refuses it as a
//!   duplicate field);
//! - a first key that is not the tag must be a string, bytes or an integer (serde would buffer
//!   a map or a float as a key, then refuse it as a field name anyway, but for a unit variant);
//! - in the message for an enum sent as an array (`["say"]`, which serde reads too), the enum is
//!   named `TaggedEnum` (`expected struct variant TaggedEnum::Say`): see the macro.
//!
//! No recursion of our own: every nested map or array is read by the format's deserializer, so
//! MessagePack's depth limit ([`crate::codec::MAX_MSGPACK_DEPTH`]) and serde_json's still count
//! every level.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BorrowedBytesDeserializer, BorrowedStrDeserializer, BytesDeserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer, U64Deserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// Declares an internally tagged enum whose `Deserialize` reads the tag first (see the module
/// docs). Write the enum as for serde's derive, with `Serialize` in the derive list and
/// without `Deserialize`, which the macro implements:
///
/// ```text
/// tagged_enum! {
///     /// Doc comments as usual.
///     #[derive(Clone, Debug, PartialEq, Serialize)]
///     #[serde(tag = "kind", rename_all = "snake_case")]
///     pub enum Tap {
///         /// Variant and field attributes as usual.
///         Parked { visit: VisitId },
///         SignOut,
///     }
/// }
/// ```
///
/// Paths in the variants' attributes (`default = "f"`, `deserialize_with = "f"`) resolve in the
/// module that invokes the macro, as they would for the derive.
macro_rules! tagged_enum {
    (
        $(#[doc = $doc:literal])*
        #[derive $derive:tt]
        #[serde(tag = $tag:literal, rename_all = $rename_all:literal)]
        $vis:vis enum $name:ident { $($variants:tt)* }
    ) => {
        $(#[doc = $doc])*
        #[derive $derive]
        #[serde(tag = $tag, rename_all = $rename_all)]
        $vis enum $name { $($variants)* }

        const _: () = {
            // `remote` must be a string literal, which a `macro_rules!` macro cannot make from
            // `$name`: hence this alias. serde names the enum by it in a few messages (only for
            // an enum sent as an array); the top-level one is ours and says `$name`.
            type TaggedEnum = $name;

            /// The enum read externally tagged, by variant name: the fast path's variants.
            #[derive(::serde::Deserialize)]
            #[serde(remote = "TaggedEnum", rename_all = $rename_all)]
            #[allow(dead_code)]
            enum ByName { $($variants)* }

            /// The enum as serde's derive reads it, tag anywhere: the fallback.
            #[derive(::serde::Deserialize)]
            #[serde(remote = "TaggedEnum", tag = $tag, rename_all = $rename_all)]
            #[allow(dead_code)]
            enum Buffered { $($variants)* }

            impl<'de> $crate::tag_first::TagFirst<'de> for $name {
                const NAME: &'static str = ::core::stringify!($name);
                const TAG: &'static str = $tag;

                fn by_name<D>(d: D) -> ::core::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    ByName::deserialize(d)
                }

                fn buffered<D>(d: D) -> ::core::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    Buffered::deserialize(d)
                }
            }

            impl<'de> ::serde::Deserialize<'de> for $name {
                fn deserialize<D>(d: D) -> ::core::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    $crate::tag_first::deserialize(d)
                }
            }
        };
    };
}
pub(crate) use tagged_enum;

/// An internally tagged enum's two reads, as [`tagged_enum!`] derives them.
pub(crate) trait TagFirst<'de>: Sized {
    /// The enum's name, for "expected internally tagged enum …".
    const NAME: &'static str;
    /// The tag's key.
    const TAG: &'static str;
    /// serde's read of the enum externally tagged: `deserialize_enum`, then the variant.
    fn by_name<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    /// serde's own read of the enum internally tagged, tag anywhere.
    fn buffered<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Reads `T` tag first when the tag comes first, as serde does otherwise.
pub(crate) fn deserialize<'de, T: TagFirst<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    // `deserialize_any`, as serde's derive does: an internally tagged enum may also be read
    // from a sequence whose first element is the tag.
    d.deserialize_any(TagFirstVisitor(PhantomData))
}

/// Looks at a map's first key; a sequence goes to serde's read as it is.
struct TagFirstVisitor<T>(PhantomData<T>);

impl<'de, T: TagFirst<'de>> Visitor<'de> for TagFirstVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "internally tagged enum {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_key_seed(FirstKeySeed { tag: T::TAG })? {
            // As our encoders write it: the variant straight from the rest of the map.
            Some(FirstKey::Tag) => T::by_name(RestOfMap(map)),
            // Any other order: serde's read of the whole map, its first key given back.
            Some(FirstKey::Other(first)) => T::buffered(MapAccessDeserializer::new(Replay {
                first: Some(first),
                map,
            })),
            // `{}`: what serde says of it.
            None => Err(de::Error::missing_field(T::TAG)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::buffered(SeqAccessDeserializer::new(seq))
    }
}

/// A map's first key: the tag, or another key to hand back to serde.
enum FirstKey<'de> {
    Tag,
    Other(Key<'de>),
}

/// A key other than the tag, as the format gave it.
enum Key<'de> {
    Str(&'de str),
    String(String),
    Bytes(&'de [u8]),
    ByteBuf(Vec<u8>),
    U64(u64),
    I64(i64),
}

impl<'de> Key<'de> {
    /// Gives the key to `seed` as it was read.
    fn replay<K: DeserializeSeed<'de>, E: de::Error>(self, seed: K) -> Result<K::Value, E> {
        match self {
            Key::Str(s) => seed.deserialize(BorrowedStrDeserializer::new(s)),
            Key::String(s) => seed.deserialize(StringDeserializer::new(s)),
            Key::Bytes(b) => seed.deserialize(BorrowedBytesDeserializer::new(b)),
            Key::ByteBuf(b) => seed.deserialize(BytesDeserializer::new(&b)),
            Key::U64(n) => seed.deserialize(U64Deserializer::new(n)),
            Key::I64(n) => seed.deserialize(I64Deserializer::new(n)),
        }
    }
}

/// Reads a map's first key, telling the tag from any other key as serde does (a string or
/// bytes equal to the tag's name).
struct FirstKeySeed {
    tag: &'static str,
}

impl FirstKeySeed {
    /// The tag, when `name` is the tag's name; otherwise the key as `other` keeps it.
    fn tag_or<'de>(&self, name: &[u8], other: impl FnOnce() -> Key<'de>) -> FirstKey<'de> {
        if name == self.tag.as_bytes() {
            FirstKey::Tag
        } else {
            FirstKey::Other(other())
        }
    }
}

impl<'de> DeserializeSeed<'de> for FirstKeySeed {
    type Value = FirstKey<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FirstKey<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FirstKeySeed {
    type Value = FirstKey<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<FirstKey<'de>, E> {
        Ok(self.tag_or(v.as_bytes(), || Key::Str(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FirstKey<'de>, E> {
        Ok(self.tag_or(v.as_bytes(), || Key::String(v.to_owned())))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<FirstKey<'de>, E> {
        Ok(self.tag_or(v, || Key::Bytes(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<FirstKey<'de>, E> {
        Ok(self.tag_or(v, || Key::ByteBuf(v.to_vec())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FirstKey<'de>, E> {
        Ok(FirstKey::Other(Key::U64(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FirstKey<'de>, E> {
        Ok(FirstKey::Other(Key::I64(v)))
    }
}

/// The map again, its first key handed back first: what serde's buffered read is given when
/// the first key was not the tag.
struct Replay<'de, A> {
    first: Option<Key<'de>>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(first) => first.replay(seed).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        let first = usize::from(self.first.is_some());
        self.map.size_hint().map(|rest| rest + first)
    }
}

/// The rest of a map whose first key was the tag, presented to the externally tagged copy as
/// an enum: the tag's value is the variant's name, the remaining entries its fields.
struct RestOfMap<A>(A);

impl<'de, A: MapAccess<'de>> Deserializer<'de> for RestOfMap<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for RestOfMap<A> {
    type Error = A::Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        mut self,
        seed: V,
    ) -> Result<(V::Value, Self), A::Error> {
        // The tag's value, read by serde's variant identifier: `unknown variant …` and the rest.
        let variant = self.0.next_value_seed(seed)?;
        Ok((variant, self))
    }
}

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for RestOfMap<A> {
    type Error = A::Error;

    /// Other fields beside a unit variant's tag are read and ignored, as serde does.
    fn unit_variant(mut self) -> Result<(), A::Error> {
        while self.0.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    /// A newtype variant's fields sit beside the tag (`ServerFrame::Event`).
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        seed.deserialize(MapAccessDeserializer::new(self.0))
    }

    /// serde refuses tuple variants in an internally tagged enum at compile time; were there
    /// one, its visitor would refuse the map with its own message.
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Codec, Command, Intent, ServerFrame};

    /// `T` read by serde's own derive alone, tag anywhere: what every enum here was read with
    /// before.
    #[derive(Debug, PartialEq)]
    struct SerdeRead<T>(T);

    impl<'de, T: TagFirst<'de>> de::Deserialize<'de> for SerdeRead<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            T::buffered(d).map(SerdeRead)
        }
    }

    /// What reading `json` gives, without JSON's error position: serde's buffered read has
    /// none to give, as it reports from the buffer.
    fn read<T: de::DeserializeOwned>(json: &str) -> Result<T, String> {
        Codec::Json.decode::<T>(json.as_bytes()).map_err(|e| {
            let e = e.to_string();
            e.split(" at line ").next().unwrap_or_default().to_owned()
        })
    }

    fn same_as_serde<T>(json: &str)
    where
        T: de::DeserializeOwned + fmt::Debug + PartialEq,
        SerdeRead<T>: de::DeserializeOwned,
    {
        let ours = read::<T>(json);
        let serde = read::<SerdeRead<T>>(json).map(|SerdeRead(t)| t);
        assert_eq!(ours, serde, "{json}");
    }

    #[test]
    fn reads_what_serde_reads_and_refuses_what_it_refuses() {
        for json in [
            r#"{"type":"say","sentence":"收到"}"#,
            r#"{"sentence":"收到","type":"say"}"#,
            r#"{"type":"say","sentence":"收到","x":[1,{"y":null}]}"#,
            r#"{"x":{"type":"ping"},"type":"say","sentence":"收到"}"#,
            r#"{"type":"say"}"#,
            r#"{"type":"say","sentence":5}"#,
            r#"{"type":"say","sentence":"a","sentence":"b"}"#,
            r#"{"sentence":"a","type":"say","sentence":"b"}"#,
            r#"{"type":"ping","x":1}"#,
            r#"{"type":"connect","token":null}"#,
            r#"{"type":"connect","resume":{"from":3}}"#,
            r#"{"type":"dance"}"#,
            r#"{"x":1,"type":"dance"}"#,
            r#"{"type":true}"#,
            r#"{"type":6}"#,
            r#"{"type":"say","sentence":"收到""#,
            r#"{}"#,
            r#"{"sentence":"收到"}"#,
            r#"["ping"]"#,
            r#"["say","收到"]"#,
            r#"[]"#,
        ] {
            same_as_serde::<Command>(json);
        }
        for json in [
            r#"{"type":"event","offset":1,"at":2,"what":{"kind":"board_pruned","before":3}}"#,
            r#"{"offset":1,"at":2,"what":{"before":3,"kind":"board_pruned"},"type":"event"}"#,
            r#"{"type":"event","offset":1,"what":{"kind":"board_pruned","before":3}}"#,
            r#"{"type":"error","id":1,"code":"bad_frame","message":"m"}"#,
            r#"{"type":"reply","id":1,"body":{"kind":"welcome"}}"#,
        ] {
            same_as_serde::<ServerFrame>(json);
        }
        for json in [
            r#"{"kind":"hail","party":3}"#,
            r#"{"kind":"vip_ready","room":300}"#,
            r#"{"room":3,"kind":"vip_ready"}"#,
        ] {
            same_as_serde::<Intent>(json);
        }
    }

    /// The one difference in what is read (see the module docs): serde refuses a second tag.
    #[test]
    fn a_second_tag_after_the_first_is_an_ignored_field() {
        let json = r#"{"type":"ping","type":"catalogue"}"#;
        assert_eq!(read::<Command>(json), Ok(Command::Ping));
        assert_eq!(
            read::<SerdeRead<Command>>(json),
            Err("malformed frame: duplicate field `type`".into())
        );
    }
}
