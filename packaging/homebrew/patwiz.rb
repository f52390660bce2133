# Homebrew formula for patwiz: built from the packaged crate with Rust (macOS and Linux).
class Patwiz < Formula
  desc "Terminal wizard for least-privilege Azure DevOps personal access tokens"
  homepage "@HOMEPAGE@"
  url "@CRATE@"
  sha256 "@SHA256:patwiz-@VERSION@.crate@"
  license any_of: ["MIT", "Apache-2.0"]

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    generate_completions_from_executable(bin/"patwiz", "completions")
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/patwiz --version")
    assert_match "git-zen", shell_output("#{bin}/patwiz profiles")
  end
end
