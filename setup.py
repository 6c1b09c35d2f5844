"""Build hook: ship the Streamlit entry point (app.py, pages/, .streamlit/config.toml) inside the
package as `lifecycle/webapp/`, so an installed (non-editable) package can serve the dashboard
with `lifecycle serve` (or `streamlit run "$(lifecycle app-path)"`). Metadata is in pyproject.toml."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithWebapp(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install serves app.py from the checkout itself
            return
        target = Path(self.build_lib) / "lifecycle" / "webapp"
        (target / "pages").mkdir(parents=True, exist_ok=True)
        (target / ".streamlit").mkdir(exist_ok=True)
        shutil.copy2(HERE / "app.py", target / "app.py")
        for page in sorted((HERE / "pages").glob("*.py")):
            shutil.copy2(page, target / "pages" / page.name)
        shutil.copy2(HERE / ".streamlit" / "config.toml", target / ".streamlit" / "config.toml")


setup(cmdclass={"build_py": BuildPyWithWebapp})
