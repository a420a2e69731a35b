#!/usr/bin/env bash
# Runs the tests on a machine with only the Rust toolchain: installs first what
# the tests read outputs with, as users and print shops do (skipping what is
# already there), then `cargo test`. Arguments go to `cargo test`.
#
#   poppler-utils   pdftotext, pdffonts, pdfinfo, pdfimages: text, fonts, boxes
#   qpdf            PDF structure checks
#   libreoffice-writer-nogui, fonts-dejavu-core
#                   opens each DOCX as Word users do (and a font to set it in)
#   python3-uno     lets a test edit a handout in LibreOffice as a translator would
#   util-linux      setpriv: the permission cases run as an unprivileged user
#   python-docx     (PyPI) opens each DOCX as a script would
#   openxml-audit   (PyPI) validates each DOCX against the OOXML schema, as the
#                   Open XML SDK does: what Word would repair or refuse
#   page-validation (PyPI) checks each PDF against the veraPDF rule sets for
#                   PDF/UA-1 (accessibility) and PDF/A-2a (screen files)
#   libharfbuzz-bin hb-shape: HarfBuzz's own shaping, which every Arabic and
#                   Hindi line leafpress sets is compared with
#   zbar-tools      zbarimg: reads the QR codes of rendered pages, as a phone would
#   chromium, chromium-driver, selenium (PyPI)
#                   a reviewer's browser on `leafpress serve`'s page, driven
#                   headless; axe-core (npm) checks the page's accessibility
#   nodejs, npm     run the npm package `xliff` (into target/test-tools), which
#                   reads and writes XLIFF as a CAT tool would
#
# Installing needs root (apt-get); as another user, install the list above first.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui fonts-dejavu-core)
/usr/bin/python3 -c "import uno" 2>/dev/null || need+=(python3-uno)
command -v setpriv >/dev/null || need+=(util-linux)
command -v npm >/dev/null || need+=(nodejs npm)
command -v hb-shape >/dev/null || need+=(libharfbuzz-bin)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing what the tests need: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c "import docx" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check python-docx
python3 -c "import openxml_audit" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check openxml-audit==0.8.0
python3 -c "import page" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check page-validation==0.11.0
python3 -c "import selenium" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check selenium==4.27.1
# Both at once: npm removes what a later install into the folder does not name.
[ -d target/test-tools/node_modules/xliff ] && [ -d target/test-tools/node_modules/axe-core ] ||
  npm install --silent --no-save --no-audit --no-fund --prefix target/test-tools xliff@6.4.0 axe-core@4.10.2

cargo test --locked "$@"
