//! The layers of ARCHITECTURE.md, checked against the source: in `coord-runtime`,
//! `coord-macros` and `coord-patterns`, every `crate::…` path in a module names a module of a lower layer (or its
//! own), so the imports between top-level modules run one way and cannot form a cycle.
//!
//! A path through the crate root's re-exports (`crate::Error`) would hide the real direction,
//! so a path must name a module; `lib.rs` itself, which only declares and re-exports, is the
//! top and is not checked.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// `coord-runtime`'s top-level modules, lowest layer first.
const RUNTIME_LAYERS: &[&str] = &[
    "base",
    "telemetry",
    "values",
    "config",
    "validation",
    "breaker",
    "limit",
    "tracking",
    "retry",
    "system",
    "events",
    "report",
    "export",
    "dashboards",
    "tower",
    "axum_support",
    "init",
    "__private",
];

/// `coord-macros`' top-level modules, lowest layer first: the error accumulator and the
/// argument grammar, the function model, one parser per argument group, the plan that
/// gathers them (and `#[coordinate_operation]`'s parser, which fills one), then the emitters.
const MACRO_LAYERS: &[&str] = &[
    "errors",
    "args",
    "json",
    "serde_names",
    "field_shape",
    "func",
    "body",
    "objective_args",
    "track_args",
    "retry_args",
    "breaker_args",
    "limit_args",
    "validate_args",
    "handle_args",
    "lock_args",
    "plan",
    "coordinate_args",
    "saga_args",
    "expand",
];

/// `coord-patterns`' top-level modules, lowest first: the store, then the patterns on it, then
/// what the pattern attributes' expansions call.
const PATTERNS_LAYERS: &[&str] = &["store", "saga", "lock", "__private"];

#[test]
fn patterns_imports_run_one_way() {
    check_layers(Path::new("coord-patterns/src"), PATTERNS_LAYERS);
}

#[test]
fn runtime_imports_run_one_way() {
    check_layers(Path::new("coord-runtime/src"), RUNTIME_LAYERS);
}

#[test]
fn macro_imports_run_one_way() {
    check_layers(Path::new("coord-macros/src"), MACRO_LAYERS);
}

#[test]
fn architecture_md_lists_the_runtime_layers_in_order() {
    let text = read(&root().join("ARCHITECTURE.md"));
    for (crate_name, layers) in [
        ("runtime", RUNTIME_LAYERS),
        ("macro crate", MACRO_LAYERS),
        ("patterns crate", PATTERNS_LAYERS),
    ] {
        let chain = layers
            .iter()
            .map(|layer| format!("`{layer}`"))
            .collect::<Vec<_>>()
            .join(" → ");
        assert!(
            text.contains(&chain),
            "ARCHITECTURE.md should list the {crate_name}'s layers as\n{chain}"
        );
    }
}

fn check_layers(src: &Path, layers: &[&str]) {
    let src = root().join(src);
    let declared = declared_modules(&read(&src.join("lib.rs")));
    let listed: BTreeSet<String> = layers.iter().map(|layer| (*layer).to_owned()).collect();
    assert_eq!(
        declared,
        listed,
        "{}: the modules lib.rs declares and the layer table differ",
        src.display()
    );
    let mut wrong = Vec::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(module) = top_module(relative) else {
            continue;
        };
        // Test-only modules (not in the table) sit above everything.
        let Some(rank) = rank_of(layers, &module) else {
            continue;
        };
        let code = without_comments(&read(&file));
        for (line, target) in crate_paths(&code) {
            if target == module {
                continue;
            }
            match rank_of(layers, &target) {
                Some(target_rank) if target_rank < rank => {}
                Some(_) => wrong.push(format!(
                    "{}:{line}: `{module}` imports `crate::{target}`, a layer above it",
                    relative.display()
                )),
                None => wrong.push(format!(
                    "{}:{line}: `crate::{target}` is not a module: import from the defining module",
                    relative.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("read source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The top-level module a file belongs to; `None` for `lib.rs`.
fn top_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    if relative.components().count() > 1 {
        return Some(first.to_owned());
    }
    let stem = first.strip_suffix(".rs")?;
    (stem != "lib").then(|| stem.to_owned())
}

/// The modules `lib.rs` declares (`mod x;`, `pub mod x;`, with or without a `cfg`), except
/// test-only ones (`#[cfg(test)]`), which may import anything.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    let code = without_comments(lib);
    let mut modules = BTreeSet::new();
    let mut test_only = false;
    for line in code.lines().map(str::trim) {
        let declared = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(module) = declared
            && !test_only
        {
            modules.insert(module.to_owned());
        }
        test_only = line == "#[cfg(test)]";
    }
    modules
}

fn rank_of(layers: &[&str], module: &str) -> Option<usize> {
    layers.iter().position(|layer| *layer == module)
}

/// Every `crate::name` in `code`, with its 1-based line; `crate::{a, b}` groups (on one line
/// or several) are read as one path per name.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut paths = Vec::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate::") {
        let at = from + found;
        from = at + "crate::".len();
        // `$crate::` and `other_crate::` are not this crate's paths.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let mut offset = from + 1;
            for item in group[..end].split(',') {
                let name = identifier(item.trim());
                if !name.is_empty() {
                    paths.push((line_of(offset), name));
                }
                offset += item.len() + 1;
            }
        } else {
            paths.push((line_of(at), identifier(rest)));
        }
    }
    paths
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `code` with `//` comments (doc comments included) removed, keeping line numbers; string
/// literals are kept, which is harmless here: no literal spells a `crate::` path.
fn without_comments(code: &str) -> String {
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// docs.rs shows every feature's items and says which feature each needs: the published crates
/// ask docs.rs for their features and `--cfg docsrs`, and every public item behind a feature
/// carries `doc(cfg(..))` (rustdoc on stable cannot check the attribute itself; this does).
#[test]
fn gated_public_items_say_their_feature_on_docs_rs() {
    for manifest in [
        "Cargo.toml",
        "coord-runtime/Cargo.toml",
        "coord-patterns/Cargo.toml",
    ] {
        let text = read(&root().join(manifest));
        assert!(
            text.contains("[package.metadata.docs.rs]")
                && text.contains(r#"rustdoc-args = ["--cfg", "docsrs"]"#),
            "{manifest} asks docs.rs for no features"
        );
    }
    let sources = [
        "src/lib.rs",
        "coord-runtime/src/lib.rs",
        "coord-runtime/src/export/mod.rs",
        "coord-runtime/src/system/mod.rs",
        "coord-patterns/src/lock/mod.rs",
        "coord-patterns/src/store/mod.rs",
    ];
    for source in sources {
        let text = read(&root().join(source));
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let trimmed = line.trim();
            if !(trimmed.starts_with("#[cfg(feature") || trimmed.starts_with("#[cfg(any(feature")) {
                continue;
            }
            let item = lines[index + 1..]
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.starts_with("#[") && !l.starts_with("///"));
            if item.is_some_and(|item| item.starts_with("pub ")) {
                let condition = &trimmed["#[cfg(".len()..trimmed.len() - "]".len() - 1];
                assert!(
                    lines[index + 1]
                        .contains(&format!("#[cfg_attr(docsrs, doc(cfg({condition})))]")),
                    "{source}:{}: a public item behind `{condition}` without doc(cfg)",
                    index + 1
                );
            }
        }
    }
}
