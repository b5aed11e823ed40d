//! The names serde gives a struct's fields, as far as the attributes can read them: `rename`,
//! `rename_all` (every rule serde has), and which fields it flattens or never serializes.
//! Rules are checked against serialized (wire) names, so these must agree with serde's.

use syn::{Field, LitStr};

/// How serde serializes one field.
pub(crate) enum FieldWire {
    /// Under this name.
    Named(String),
    /// Its fields appear in the parent (`#[serde(flatten)]`).
    Flattened,
    /// Never serialized (`skip`, `skip_serializing`).
    Skipped,
}

/// The `rename_all` rule of a struct's attributes, if any; `Err` with the rule when serde
/// has one coord does not know (so names cannot be predicted).
pub(crate) fn rename_all(attrs: &[syn::Attribute]) -> Result<Option<String>, String> {
    let mut rule = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                if meta.input.peek(syn::Token![=]) {
                    let value: LitStr = meta.value()?.parse()?;
                    rule = Some(value.value());
                } else {
                    // `rename_all(serialize = "...")`
                    meta.parse_nested_meta(|inner| {
                        let value: LitStr = inner.value()?.parse()?;
                        if inner.path.is_ident("serialize") {
                            rule = Some(value.value());
                        }
                        Ok(())
                    })?;
                }
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    match rule.as_deref() {
        None => Ok(None),
        Some(
            "lowercase"
            | "UPPERCASE"
            | "PascalCase"
            | "camelCase"
            | "snake_case"
            | "SCREAMING_SNAKE_CASE"
            | "kebab-case"
            | "SCREAMING-KEBAB-CASE",
        ) => Ok(rule),
        Some(other) => Err(other.to_owned()),
    }
}

/// How serde serializes `field` of a struct whose `rename_all` rule is `rule`.
pub(crate) fn field_wire(field: &Field, rule: Option<&str>) -> FieldWire {
    let mut renamed = None;
    let mut flattened = false;
    let mut skipped = false;
    for attr in field
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
    {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                if meta.input.peek(syn::Token![=]) {
                    let value: LitStr = meta.value()?.parse()?;
                    renamed = Some(value.value());
                } else {
                    meta.parse_nested_meta(|inner| {
                        let value: LitStr = inner.value()?.parse()?;
                        if inner.path.is_ident("serialize") {
                            renamed = Some(value.value());
                        }
                        Ok(())
                    })?;
                }
            } else if meta.path.is_ident("flatten") {
                flattened = true;
            } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                skipped = true;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    if skipped {
        return FieldWire::Skipped;
    }
    if flattened {
        return FieldWire::Flattened;
    }
    if let Some(name) = renamed {
        return FieldWire::Named(name);
    }
    let Some(ident) = &field.ident else {
        return FieldWire::Skipped;
    };
    let name = syn::ext::IdentExt::unraw(ident).to_string();
    FieldWire::Named(match rule {
        Some(rule) => apply(rule, &name),
        None => name,
    })
}

/// Consumes `= value` or `(...)` after a key this module does not read.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _: proc_macro2::TokenStream = meta.input.parse()?;
    }
    Ok(())
}

/// serde's `rename_all` rule applied to a snake_case field name.
fn apply(rule: &str, name: &str) -> String {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let capitalized = |word: &str| {
        let mut chars = word.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    match rule {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalized(w)).collect(),
        "camelCase" => {
            let pascal: String = words.iter().map(|w| capitalized(w)).collect();
            let mut chars = pascal.chars();
            chars
                .next()
                .map(|first| first.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
        "SCREAMING_SNAKE_CASE" => name.to_uppercase(),
        "kebab-case" => name.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => name.replace('_', "-").to_uppercase(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn rename_rules_match_serde() {
        for (rule, expected) in [
            ("lowercase", "postal_code"),
            ("UPPERCASE", "POSTAL_CODE"),
            ("PascalCase", "PostalCode"),
            ("camelCase", "postalCode"),
            ("snake_case", "postal_code"),
            ("SCREAMING_SNAKE_CASE", "POSTAL_CODE"),
            ("kebab-case", "postal-code"),
            ("SCREAMING-KEBAB-CASE", "POSTAL-CODE"),
        ] {
            assert_eq!(apply(rule, "postal_code"), expected, "{rule}");
        }
    }
}
