pub fn run(_folder: std::path::PathBuf) {}
