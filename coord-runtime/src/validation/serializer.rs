//! A `serde::Serializer` that checks a value against a plan as serde streams it, without
//! building a value tree: structs give their wire names, `Option::None` is a missing field,
//! newtypes and `Some` unwrap, maps are objects whose string keys are field names, and an enum
//! variant with data is the object `{"Variant": content}` (as serde_json writes it).

use std::fmt::{self, Display};
use std::sync::atomic::Ordering;

use serde::ser::{self, Serialize};

use super::plan::Node;
use super::walk::{Number, Walk};

/// Whether a value was there: `None` and `()` count as absent for `required`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    Present,
    Absent,
}

/// A `Serialize` impl reported an error; the walk records it and goes on with the next value.
#[derive(Debug)]
pub(crate) struct SerializeFailure(String);

impl Display for SerializeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerializeFailure {}

impl ser::Error for SerializeFailure {
    fn custom<T: Display>(message: T) -> Self {
        SerializeFailure(message.to_string())
    }
}

/// Checks one value at `node` (`None`: no rules here, only the rule set's global checks).
pub(crate) struct ValueSerializer<'w, 'p> {
    pub walk: &'w mut Walk<'p>,
    pub node: Option<usize>,
}

/// Serializes `value` at `node`, recording a failing `Serialize` impl as an error.
pub(crate) fn check_value<T: Serialize + ?Sized>(
    walk: &mut Walk<'_>,
    node: Option<usize>,
    value: &T,
) -> Presence {
    match value.serialize(ValueSerializer {
        walk: &mut *walk,
        node,
    }) {
        Ok(presence) => presence,
        Err(failure) => {
            walk.serialize_failed(node, &failure.0);
            Presence::Present
        }
    }
}

/// The position and node of child `name`, met as field number `position` of a struct (or
/// `usize::MAX` for a map key, whose order means nothing). The child a position named last time
/// is tried first; see [`Node::order`].
pub(crate) fn child_of(node: Option<&Node>, name: &str, position: usize) -> Option<(usize, usize)> {
    let node = node?;
    let learned = node.order.get(position);
    if let Some(learned) = learned {
        let remembered = usize::from(learned.load(Ordering::Relaxed));
        if let Some((child, id)) = remembered.checked_sub(1).and_then(|i| node.children.get(i))
            && same_name(child, name)
        {
            return Some((remembered - 1, *id));
        }
    }
    let found = node
        .children
        .iter()
        .enumerate()
        .find(|(_, (child, _))| same_name(child, name))
        .map(|(index, (_, id))| (index, *id));
    if let (Some(learned), Some((index, _))) = (learned, found)
        && let Ok(remember) = u8::try_from(index + 1)
    {
        learned.store(remember, Ordering::Relaxed);
    }
    found
}

/// Field names are short: comparing bytes in place beats a call into `memcmp`.
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut differ = 0u8;
    for (x, y) in a.iter().zip(b) {
        differ |= x ^ y;
    }
    differ == 0
}

/// An object or array being walked.
pub(crate) struct Compound<'w, 'p> {
    walk: &'w mut Walk<'p>,
    node: Option<usize>,
    is_array: bool,
    entered: bool,
    count: u64,
    /// Fields met so far in an object (the position passed to [`child_of`]).
    fields: usize,
    seen: u64,
    pending_key: Option<(Option<(usize, usize)>, usize)>,
    /// Path length to go back to when closed (enum variants push their name).
    restore: Option<usize>,
    /// For an enum variant with data, the object `{"Variant": ..}` around it.
    outer: Option<VariantObject>,
}

/// The object an enum variant with data is, as serde_json writes it: the position's rules see
/// an object (so `allowed` or `type = "string"` cannot be passed by a struct variant), and the
/// content is the field named after the variant.
struct VariantObject {
    node: Option<usize>,
    entered: bool,
    /// The variant's bit among the object's fields (see [`Compound::seen`]).
    seen: u64,
}

impl<'w, 'p> Compound<'w, 'p> {
    fn open(walk: &'w mut Walk<'p>, node: Option<usize>, is_array: bool) -> Self {
        let entered = walk.enter(node, is_array);
        Self {
            walk,
            node,
            is_array,
            entered,
            count: 0,
            fields: 0,
            seen: 0,
            pending_key: None,
            restore: None,
            outer: None,
        }
    }

    /// `{"Variant": [..]}` or `{"Variant": {..}}` at `node`: an object whose one field, named
    /// after the variant, holds the content.
    fn variant(walk: &'w mut Walk<'p>, node: Option<usize>, variant: &str, is_array: bool) -> Self {
        let entered = walk.enter(node, false);
        let child = if entered {
            child_of(walk.node(node), variant, 0)
        } else {
            None
        };
        let seen = child
            .filter(|(index, _)| *index < 64)
            .map_or(0, |(index, _)| 1 << index);
        let mark = walk.path.mark();
        walk.path.push_field(variant);
        let mut compound = Self::open(walk, child.map(|(_, id)| id), is_array);
        compound.restore = Some(mark);
        compound.outer = Some(VariantObject {
            node,
            entered,
            seen,
        });
        compound
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) {
        let index = self.count;
        self.count += 1;
        if !self.entered {
            return;
        }
        let items = self.walk.node(self.node).and_then(|node| node.items);
        if let (Some(items), Some(survey)) = (items, self.walk.survey.as_deref_mut()) {
            survey.items(items);
        }
        let mark = self.walk.path.mark();
        self.walk.path.push_index(index);
        if check_value(self.walk, items, value) == Presence::Absent {
            self.walk.null_item(items);
        }
        self.walk.path.truncate(mark);
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        if !self.entered {
            return;
        }
        let child = child_of(self.walk.node(self.node), name, self.fields);
        self.fields += 1;
        if let Some(survey) = self.walk.survey.as_deref_mut() {
            survey.key(self.node, child.map(|(_, id)| id), name);
        }
        let mark = self.walk.path.mark();
        self.walk.path.push_field(name);
        self.finish_field(child, mark, value);
    }

    fn finish_field<T: Serialize + ?Sized>(
        &mut self,
        child: Option<(usize, usize)>,
        mark: usize,
        value: &T,
    ) {
        let presence = check_value(self.walk, child.map(|(_, id)| id), value);
        if presence == Presence::Present
            && let Some((index, _)) = child
            && index < 64
        {
            self.seen |= 1 << index;
        }
        self.walk.path.truncate(mark);
    }

    fn close(self) -> Result<Presence, SerializeFailure> {
        if self.entered {
            self.walk
                .leave(self.node, self.is_array, self.count, self.seen);
        } else {
            self.walk.depth -= 1;
        }
        if let Some(mark) = self.restore {
            self.walk.path.truncate(mark);
        }
        if let Some(outer) = self.outer {
            if outer.entered {
                self.walk.leave(outer.node, false, 1, outer.seen);
            } else {
                self.walk.depth -= 1;
            }
        }
        Ok(Presence::Present)
    }
}

/// Sequences, tuples and tuple structs are all arrays: each element is an item.
macro_rules! array_compound {
    ($($trait:ident :: $method:ident),*) => {
        $(impl ser::$trait for Compound<'_, '_> {
            type Ok = Presence;
            type Error = SerializeFailure;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
                self.element(value);
                Ok(())
            }
            fn end(self) -> Result<Presence, Self::Error> {
                self.close()
            }
        })*
    };
}

array_compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Structs and struct variants are objects: each field is a child by its wire name.
macro_rules! object_compound {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Compound<'_, '_> {
            type Ok = Presence;
            type Error = SerializeFailure;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Self::Error> {
                self.field(key, value);
                Ok(())
            }
            fn end(self) -> Result<Presence, Self::Error> {
                self.close()
            }
        })*
    };
}

object_compound!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = Presence;
    type Error = SerializeFailure;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        if !self.entered {
            return Ok(());
        }
        let mark = self.walk.path.mark();
        let node = self.walk.node(self.node);
        let child = key.serialize(KeySerializer {
            walk: &mut *self.walk,
            node,
        })?;
        if self.walk.survey.is_some() {
            let name = self.walk.path.since(mark);
            if let Some(survey) = self.walk.survey.as_deref_mut() {
                survey.key(self.node, child.map(|(_, id)| id), &name);
            }
        }
        self.pending_key = Some((child, mark));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        if let Some((child, mark)) = self.pending_key.take() {
            self.finish_field(child, mark, value);
        }
        Ok(())
    }
    fn end(self) -> Result<Presence, Self::Error> {
        self.close()
    }
}

/// Reads a map key as a field name: appends it to the path, checks it as a string, and finds
/// the child it names.
struct KeySerializer<'w, 'p> {
    walk: &'w mut Walk<'p>,
    node: Option<&'p Node>,
}

impl KeySerializer<'_, '_> {
    fn text(self, key: &str) -> Result<Option<(usize, usize)>, SerializeFailure> {
        self.walk.path.push_field(key);
        self.walk.string(None, key);
        Ok(child_of(self.node, key, usize::MAX))
    }

    fn number(
        self,
        key: impl itoa_like::Digits,
    ) -> Result<Option<(usize, usize)>, SerializeFailure> {
        let mut buffer = [0u8; 40];
        let text = key.write(&mut buffer);
        self.walk.path.push_field(text);
        Ok(child_of(self.node, text, usize::MAX))
    }
}

/// The error for a map key that cannot name a field.
fn not_a_key(what: &str) -> SerializeFailure {
    SerializeFailure(format!(
        "a map key must be a string or an integer, not {what}"
    ))
}

/// Formats integers into a stack buffer, so numeric map keys need no allocation.
mod itoa_like {
    pub(super) trait Digits {
        fn write(self, buffer: &mut [u8; 40]) -> &str;
    }

    fn unsigned(mut value: u128, negative: bool, buffer: &mut [u8; 40]) -> &str {
        let mut at = buffer.len();
        loop {
            at -= 1;
            buffer[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        if negative {
            at -= 1;
            buffer[at] = b'-';
        }
        std::str::from_utf8(&buffer[at..]).unwrap_or("")
    }

    impl Digits for u128 {
        fn write(self, buffer: &mut [u8; 40]) -> &str {
            unsigned(self, false, buffer)
        }
    }

    impl Digits for i128 {
        fn write(self, buffer: &mut [u8; 40]) -> &str {
            unsigned(self.unsigned_abs(), self < 0, buffer)
        }
    }
}

macro_rules! key_numbers {
    ($($method:ident: $ty:ty => $wide:ty),*) => {
        $(fn $method(self, value: $ty) -> Result<Self::Ok, Self::Error> {
            self.number(<$wide>::from(value))
        })*
    };
}

impl ser::Serializer for KeySerializer<'_, '_> {
    type Ok = Option<(usize, usize)>;
    type Error = SerializeFailure;
    type SerializeSeq = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeTuple = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeTupleStruct = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeTupleVariant = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeMap = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeStruct = ser::Impossible<Self::Ok, Self::Error>;
    type SerializeStructVariant = ser::Impossible<Self::Ok, Self::Error>;

    fn serialize_str(self, value: &str) -> Result<Self::Ok, Self::Error> {
        self.text(value)
    }
    fn serialize_char(self, value: char) -> Result<Self::Ok, Self::Error> {
        self.text(value.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, value: bool) -> Result<Self::Ok, Self::Error> {
        self.text(if value { "true" } else { "false" })
    }
    key_numbers!(
        serialize_i8: i8 => i128, serialize_i16: i16 => i128, serialize_i32: i32 => i128,
        serialize_i64: i64 => i128, serialize_i128: i128 => i128,
        serialize_u8: u8 => u128, serialize_u16: u16 => u128, serialize_u32: u32 => u128,
        serialize_u64: u64 => u128, serialize_u128: u128 => u128
    );
    fn serialize_f32(self, _: f32) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("a float"))
    }
    fn serialize_f64(self, _: f64) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("a float"))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("bytes"))
    }
    fn serialize_none(self) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("()"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Self::Ok, Self::Error> {
        self.text(name)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Self::Error> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(not_a_key("an enum with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(not_a_key("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(not_a_key("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(not_a_key("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(not_a_key("an enum with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(not_a_key("a map"))
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Err(not_a_key("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(not_a_key("an enum with data"))
    }
}

macro_rules! value_numbers {
    ($($method:ident: $ty:ty => $variant:ident as $wide:ty),*) => {
        $(fn $method(self, value: $ty) -> Result<Self::Ok, Self::Error> {
            self.walk.number(self.node, Number::$variant(<$wide>::from(value)));
            Ok(Presence::Present)
        })*
    };
}

impl<'w, 'p> ser::Serializer for ValueSerializer<'w, 'p> {
    type Ok = Presence;
    type Error = SerializeFailure;
    type SerializeSeq = Compound<'w, 'p>;
    type SerializeTuple = Compound<'w, 'p>;
    type SerializeTupleStruct = Compound<'w, 'p>;
    type SerializeTupleVariant = Compound<'w, 'p>;
    type SerializeMap = Compound<'w, 'p>;
    type SerializeStruct = Compound<'w, 'p>;
    type SerializeStructVariant = Compound<'w, 'p>;

    fn serialize_bool(self, value: bool) -> Result<Presence, Self::Error> {
        self.walk.boolean(self.node, value);
        Ok(Presence::Present)
    }
    value_numbers!(
        serialize_i8: i8 => Signed as i128, serialize_i16: i16 => Signed as i128,
        serialize_i32: i32 => Signed as i128, serialize_i64: i64 => Signed as i128,
        serialize_i128: i128 => Signed as i128,
        serialize_u8: u8 => Unsigned as u128, serialize_u16: u16 => Unsigned as u128,
        serialize_u32: u32 => Unsigned as u128, serialize_u64: u64 => Unsigned as u128,
        serialize_u128: u128 => Unsigned as u128,
        serialize_f32: f32 => Float as f64, serialize_f64: f64 => Float as f64
    );
    fn serialize_char(self, value: char) -> Result<Presence, Self::Error> {
        self.walk.string(self.node, value.encode_utf8(&mut [0; 4]));
        Ok(Presence::Present)
    }
    fn serialize_str(self, value: &str) -> Result<Presence, Self::Error> {
        self.walk.string(self.node, value);
        Ok(Presence::Present)
    }
    fn serialize_bytes(self, value: &[u8]) -> Result<Presence, Self::Error> {
        // Bytes are an array of numbers whose items are not walked one by one.
        let mut compound = Compound::open(self.walk, self.node, true);
        compound.count = value.len() as u64;
        compound.close()
    }
    fn serialize_none(self) -> Result<Presence, Self::Error> {
        Ok(Presence::Absent)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Presence, Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Presence, Self::Error> {
        Ok(Presence::Absent)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Presence, Self::Error> {
        Ok(Presence::Absent)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Presence, Self::Error> {
        self.walk.string(self.node, variant);
        Ok(Presence::Present)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Presence, Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Presence, Self::Error> {
        let mut compound = Compound::open(self.walk, self.node, false);
        compound.field(variant, value);
        compound.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::open(self.walk, self.node, true))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::open(self.walk, self.node, true))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::open(self.walk, self.node, true))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::variant(self.walk, self.node, variant, true))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::open(self.walk, self.node, false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::open(self.walk, self.node, false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'p>, Self::Error> {
        Ok(Compound::variant(self.walk, self.node, variant, false))
    }
}
