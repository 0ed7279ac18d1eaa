// Rebuild when demo articles are added or changed (include_dir alone does not notice new files).
fn main() {
    println!("cargo:rerun-if-changed=../../demo/articles");
}
