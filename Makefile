# 工会工作统计流水线 — the two commands a union officer needs: `make report`, `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSSTAMP := $(VENV)/.system-packages
# Debian packages the PDF needs: a CJK font, Pango, and HarfBuzz-subset (20x faster font embedding).
# poppler-utils lets you look at the PDF (pdftoppm, pdffonts); LibreOffice Calc recalculates the 汇总表 in tests;
# chromium runs the HTML reports in a real browser in tests; LibreOffice Writer reads .doc/.wps plans.
APT_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils libreoffice-calc libreoffice-writer chromium

.PHONY: setup report test templates bench clean lint golden

# Virtual environment, the package and its dependencies, and the system packages.
setup: $(STAMP) $(SYSSTAMP)

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "需要 Python 3.11 或更新版本 (python3 not found)"; exit 1; }
	@echo "首次运行：正在建立虚拟环境并安装依赖（约 1 分钟，只需一次）…"
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	@touch $(STAMP)

$(SYSSTAMP):
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "系统依赖已安装。"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "安装系统依赖:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null \
	    || { echo "apt-get 安装失败:$$missing"; exit 1; }; \
	else echo "请以管理员身份安装系统依赖（PDF 中文字体等）：sudo apt-get install$$missing"; fi
	@mkdir -p $(VENV) && touch $(SYSSTAMP)

# The whole pipeline on inputs/ (the bundled demo data when inputs/ has no workbooks) into outputs/.
report: setup
	$(PY) -m pipeline report --inputs inputs --out outputs

# The test suite (what CI runs): ruff's checks, then pytest.
test: setup
	$(VENV)/bin/ruff check pipeline tests
	$(PY) -m pytest

# Regenerate the golden files after an intended change of outputs (review the diff!).
golden: setup
	UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/test_golden.py
	git diff --stat tests/golden

# Lint with ruff.
lint: setup
	$(VENV)/bin/ruff check pipeline tests && $(VENV)/bin/ruff format --check pipeline tests

# The blank fillable workbook (填报模板).
templates: setup
	$(PY) -m pipeline template --out outputs/填报模板.xlsx

# The benchmark suite, printing ratios against a baseline measured in the same run.
bench: setup
	$(PY) -m tests.bench

# Remove generated outputs and the virtual environment.
clean:
	rm -rf $(VENV) outputs/* outputs/.cache outputs/.staging-* .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
