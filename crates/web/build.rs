// Rebuild when the built-in theme changes (include_dir alone does not notice new files).
fn main() {
    println!("cargo:rerun-if-changed=../../themes/default");
}
