//! What kind of value a field's Rust type serializes to, as far as its written type tells:
//! enough to refuse a rule that no value of the field could meet (`pattern` on a `u32`,
//! `type = "email"` on a `bool`). Types it does not know (the user's own) are not judged.

use syn::{GenericArgument, PathArguments, Type};

use crate::json::Json;

/// The serialized kind of a field's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    String,
    Integer,
    Number,
    Boolean,
    /// A sequence, with its items' shape.
    Array(Box<Shape>),
    /// A map.
    Object,
    /// A type this module does not know.
    Unknown,
}

impl Shape {
    fn name(&self) -> &'static str {
        match self {
            Shape::String => "a string",
            Shape::Integer => "an integer",
            Shape::Number => "a number",
            Shape::Boolean => "a boolean",
            Shape::Array(_) => "an array",
            Shape::Object => "an object",
            Shape::Unknown => "a value",
        }
    }
}

/// The shape of `ty`, seeing through `Option`, references, `Box`, `Rc`, `Arc` and `Cow`
/// (an `Option` field that is `None` is a missing field, not a value of another kind).
pub(crate) fn shape_of(ty: &Type) -> Shape {
    match ty {
        Type::Reference(reference) => shape_of(&reference.elem),
        Type::Paren(inner) => shape_of(&inner.elem),
        Type::Group(inner) => shape_of(&inner.elem),
        Type::Slice(slice) => Shape::Array(Box::new(shape_of(&slice.elem))),
        Type::Array(array) => Shape::Array(Box::new(shape_of(&array.elem))),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return Shape::Unknown;
            };
            let first_argument = || match &last.arguments {
                PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                }),
                _ => None,
            };
            match last.ident.to_string().as_str() {
                "String" | "str" | "char" => Shape::String,
                "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64"
                | "u128" | "usize" => Shape::Integer,
                "f32" | "f64" => Shape::Number,
                "bool" => Shape::Boolean,
                "Option" | "Box" | "Rc" | "Arc" | "Cow" => {
                    first_argument().map_or(Shape::Unknown, shape_of)
                }
                "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "LinkedList" => {
                    Shape::Array(Box::new(first_argument().map_or(Shape::Unknown, shape_of)))
                }
                "HashMap" | "BTreeMap" => Shape::Object,
                _ => Shape::Unknown,
            }
        }
        _ => Shape::Unknown,
    }
}

/// The type a nested field's rules come from: `ty` without `Option`, references and `Box`.
pub(crate) fn nested_type(ty: &Type) -> &Type {
    match ty {
        Type::Reference(reference) => nested_type(&reference.elem),
        Type::Paren(inner) => nested_type(&inner.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return ty;
            };
            match (&last.arguments, last.ident.to_string().as_str()) {
                (PathArguments::AngleBracketed(args), "Option" | "Box" | "Rc" | "Arc") => args
                    .args
                    .iter()
                    .find_map(|arg| match arg {
                        GenericArgument::Type(inner) => Some(nested_type(inner)),
                        _ => None,
                    })
                    .unwrap_or(ty),
                _ => ty,
            }
        }
        _ => ty,
    }
}

/// What is wrong with `rules` (one field's, as the rule document has them) for a field of
/// `shape`, if anything: a declared `type` it cannot hold, a keyword for other kinds of value.
pub(crate) fn misfit(rules: &Json, shape: &Shape) -> Option<String> {
    if *shape == Shape::Unknown {
        return None;
    }
    let Json::Object(entries) = rules else {
        return None;
    };
    let is = |wanted: &[&Shape]| {
        wanted
            .iter()
            .any(|w| std::mem::discriminant(*w) == std::mem::discriminant(shape))
    };
    for (key, value) in entries {
        let fits = match key.as_str() {
            "type" => {
                let Json::String(kind) = value else { continue };
                let fits = match kind.as_str() {
                    "string" | "email" | "url" | "uuid" | "datetime" => is(&[&Shape::String]),
                    "integer" | "number" => is(&[&Shape::Integer, &Shape::Number]),
                    "boolean" => is(&[&Shape::Boolean]),
                    "array" => is(&[&Shape::Array(Box::new(Shape::Unknown))]),
                    "object" => is(&[&Shape::Object]),
                    _ => true,
                };
                if !fits {
                    return Some(format!(
                        "`type = \"{kind}\"` cannot hold this field: its type serializes to {}",
                        shape.name()
                    ));
                }
                continue;
            }
            "min" | "max" => is(&[&Shape::Integer, &Shape::Number]),
            "min_length" | "max_length" => {
                is(&[&Shape::String, &Shape::Array(Box::new(Shape::Unknown))])
            }
            "pattern" => is(&[&Shape::String]),
            "items" => {
                if let Shape::Array(inner) = shape {
                    if let Some(problem) = misfit(value, inner) {
                        return Some(format!("in `items`: {problem}"));
                    }
                    continue;
                }
                false
            }
            "check" => is(&[
                &Shape::String,
                &Shape::Integer,
                &Shape::Number,
                &Shape::Boolean,
            ]),
            _ => continue,
        };
        if !fits {
            return Some(format!(
                "`{key}` cannot apply to this field: its type serializes to {}",
                shape.name()
            ));
        }
    }
    None
}
