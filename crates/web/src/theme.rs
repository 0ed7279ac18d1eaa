//! Themes: minijinja templates and static assets. The built-in theme is
//! embedded in the binary; a theme directory (`--theme DIR`) overrides any
//! template (`DIR/templates/...`) or asset (`DIR/assets/...`) by its path.
//! Assets are served under a fingerprinted name (`style.3f2a91c0.css`) with
//! immutable caching. With `--dev` everything is re-read on each render.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use include_dir::{include_dir, Dir};
use minijinja::{Environment, Value};
use sha2::{Digest, Sha256};

static BUILTIN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../themes/default");

/// One static file of the theme.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub fingerprinted: String,
}

#[derive(Debug, Default)]
struct Assets {
    by_name: HashMap<String, Asset>,
    by_fingerprint: HashMap<String, String>,
}

struct Loaded {
    env: Environment<'static>,
    assets: Arc<Assets>,
}

/// The active theme.
pub struct Theme {
    dir: Option<PathBuf>,
    dev: bool,
    loaded: RwLock<Arc<Loaded>>,
}

impl Theme {
    /// Loads the theme; a broken template in the theme directory is an error
    /// naming the file and line.
    pub fn load(dir: Option<PathBuf>, dev: bool) -> Result<Self, String> {
        if let Some(d) = &dir {
            if !d.is_dir() {
                return Err(format!("theme directory {} does not exist", d.display()));
            }
        }
        let loaded = build(dir.as_deref())?;
        Ok(Self {
            dir,
            dev,
            loaded: RwLock::new(Arc::new(loaded)),
        })
    }

    fn current(&self) -> Arc<Loaded> {
        if self.dev {
            match build(self.dir.as_deref()) {
                Ok(l) => {
                    let l = Arc::new(l);
                    *self.loaded.write().expect("theme lock") = l.clone();
                    return l;
                }
                Err(e) => {
                    tracing::error!(error = %e, "theme reload failed; keeping the previous one")
                }
            }
        }
        self.loaded.read().expect("theme lock").clone()
    }

    /// Renders a template with the given context.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        let loaded = self.current();
        let tmpl = loaded.env.get_template(name)?;
        tmpl.render(ctx)
    }

    /// An asset by its fingerprinted or plain name.
    pub fn asset(&self, name: &str) -> Option<(Asset, bool)> {
        let loaded = self.current();
        if let Some(plain) = loaded.assets.by_fingerprint.get(name) {
            return loaded.assets.by_name.get(plain).map(|a| (a.clone(), true));
        }
        loaded.assets.by_name.get(name).map(|a| (a.clone(), false))
    }

    /// The public URL path of an asset (fingerprinted when it exists).
    pub fn asset_url(&self, name: &str) -> String {
        asset_url(&self.current().assets, name)
    }
}

fn asset_url(assets: &Assets, name: &str) -> String {
    match assets.by_name.get(name) {
        Some(a) => format!("/assets/{}", a.fingerprinted),
        None => format!("/assets/{name}"),
    }
}

fn build(dir: Option<&Path>) -> Result<Loaded, String> {
    let assets = Arc::new(load_assets(dir)?);
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".xml") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // minijinja's HTML escaping also escapes `/`, which bloats every URL in
    // a page; escape only what HTML needs (`&<>"'`).
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() {
            if let Some(s) = value.as_str() {
                return write_escaped(out, s);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    let over = dir.map(|d| d.join("templates"));
    env.set_loader(move |name| {
        if name.contains("..") {
            return Ok(None);
        }
        if let Some(over) = &over {
            let p = over.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("{}: {e}", p.display()),
                    )
                });
            }
        }
        Ok(BUILTIN
            .get_file(format!("templates/{name}"))
            .and_then(|f| f.contents_utf8())
            .map(str::to_string))
    });
    let for_fn = assets.clone();
    env.add_function("asset", move |name: String| asset_url(&for_fn, &name));
    // "your {{ site.name|after_your }} account": no "your The …".
    env.add_filter("after_your", |name: String| {
        kawaraban_core::wording::after_your(&name).to_string()
    });
    // Check every template up front, so a broken override fails at start, not on a reader.
    let mut names: Vec<String> = Vec::new();
    collect_templates(&BUILTIN, &mut names);
    if let Some(d) = dir {
        let root = d.join("templates");
        for entry in walkdir(&root) {
            if let Ok(rel) = entry.strip_prefix(&root) {
                names.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    for name in &names {
        env.get_template(name)
            .map_err(|e| describe(name, dir, &e))?;
    }
    Ok(Loaded { env, assets })
}

fn write_escaped(out: &mut minijinja::Output<'_>, s: &str) -> Result<(), minijinja::Error> {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[last..i]).map_err(minijinja::Error::from)?;
        out.write_str(rep).map_err(minijinja::Error::from)?;
        last = i + 1;
    }
    out.write_str(&s[last..]).map_err(minijinja::Error::from)
}

fn describe(name: &str, dir: Option<&Path>, e: &minijinja::Error) -> String {
    let file = match dir
        .map(|d| d.join("templates").join(name))
        .filter(|p| p.is_file())
    {
        Some(p) => p.display().to_string(),
        None => format!("(built-in theme) templates/{name}"),
    };
    match e.line() {
        Some(line) => format!("{file}:{line}: {}", e.detail().unwrap_or(&e.to_string())),
        None => format!("{file}: {e}"),
    }
}

fn collect_templates(dir: &Dir<'_>, out: &mut Vec<String>) {
    for f in dir.files() {
        if let Ok(rel) = f.path().strip_prefix("templates") {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    for d in dir.dirs() {
        collect_templates(d, out);
    }
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn load_assets(dir: Option<&Path>) -> Result<Assets, String> {
    let mut files: HashMap<String, Bytes> = HashMap::new();
    fn builtin(d: &'static Dir<'static>, files: &mut HashMap<String, Bytes>) {
        for f in d.files() {
            if let Ok(rel) = f.path().strip_prefix("assets") {
                files.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    Bytes::from_static(f.contents()),
                );
            }
        }
        for sub in d.dirs() {
            builtin(sub, files);
        }
    }
    builtin(&BUILTIN, &mut files);
    if let Some(d) = dir {
        let root = d.join("assets");
        for p in walkdir(&root) {
            let rel = p
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            files.insert(rel, Bytes::from(bytes));
        }
    }
    let mut assets = Assets::default();
    for (name, bytes) in files {
        let hash = hex::encode(&Sha256::digest(&bytes)[..4]);
        let fingerprinted = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
            None => format!("{name}.{hash}"),
        };
        let content_type = content_type(&name);
        assets
            .by_fingerprint
            .insert(fingerprinted.clone(), name.clone());
        assets.by_name.insert(
            name,
            Asset {
                bytes,
                content_type,
                fingerprinted,
            },
        );
    }
    Ok(assets)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_theme_loads_and_fingerprints_assets() {
        let t = Theme::load(None, false).unwrap();
        let url = t.asset_url("style.css");
        assert!(
            url.starts_with("/assets/style.")
                && url.ends_with(".css")
                && url.len() > "/assets/style.css".len()
        );
        let (asset, immutable) = t.asset(url.trim_start_matches("/assets/")).unwrap();
        assert!(immutable);
        assert_eq!(asset.content_type, "text/css; charset=utf-8");
    }

    #[test]
    fn a_theme_dir_overrides_by_path_and_broken_templates_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/style.css"), "body{color:red}").unwrap();
        let t = Theme::load(Some(dir.path().to_path_buf()), false).unwrap();
        let (asset, _) = t.asset("style.css").unwrap();
        assert_eq!(&asset.bytes[..], b"body{color:red}");

        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/error.html"),
            "line one\n{% if %}\n",
        )
        .unwrap();
        let err = Theme::load(Some(dir.path().to_path_buf()), false)
            .err()
            .unwrap();
        assert!(err.contains("templates/error.html:2"), "{err}");
    }
}
