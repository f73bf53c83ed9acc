"""统计分析 in a real browser: the report's chart is drawn by the vendored ECharts, from the
app's own static files only (no CDN, works offline), with zh labels; the manager sees every
department, a supervisor only theirs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

pytestmark = pytest.mark.e2e
CHART = "#report-chart canvas, #report-chart svg"


def _period() -> str:
    today = dt.date.today()
    return f"from={today - dt.timedelta(days=60)}&to={today + dt.timedelta(days=1)}"


def _chart_series(page) -> list:
    return page.driver.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('report-chart'));"
        "return c ? c.getOption().series.map(function (s) { return s.data.length; }) : null;"
    )


def test_report_chart_draws_offline_with_local_scripts_only(as_user, live_server, build):
    build.ticket("agent", "REPAIR", subject="图表测试工单")
    page = as_user("manager")
    page.open(f"/reports/by_department?{_period()}&group_by=day", "#report-data")
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, CHART)))
    series = _chart_series(page)
    assert series and sum(series) > 0, series  # the chart has the report's numbers
    origin = urlsplit(live_server.url).netloc
    resources = page.driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (r) { return r.name; });"
    )
    assert resources and all(urlsplit(u).netloc in ("", origin) for u in resources), resources
    assert any(u.endswith("echarts.min.js") for u in resources)
    text = page.css("body").text
    assert "按部门统计" in text and "技术支持部" in text  # zh labels
    errors = [
        entry
        for entry in page.driver.get_log("browser")
        if entry.get("level") == "SEVERE" and "favicon.ico" not in entry.get("message", "")
    ]
    assert not errors, errors


def test_supervisor_chart_shows_only_their_departments(as_user, build):
    build.ticket("fin", "BILLING", subject="财务图表工单")
    page = as_user("techlead")
    page.open(f"/reports/by_department?{_period()}&group_by=month", "#report-data")
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, CHART)))
    table = page.css("table").text
    assert "技术支持部" in table and "财务部" not in table


@pytest.mark.parametrize(
    "name, kind",
    [("volume", "line"), ("by_channel", "pie"), ("heatmap", "heatmap"), ("transfers", "bar")],
)
def test_each_chart_kind_draws(as_user, build, name, kind):
    build.ticket("agent", "REPAIR", subject=f"{kind} 图表")
    page = as_user("manager")
    page.open(f"/reports/{name}?{_period()}", "#report-data")
    page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, CHART)))
    kinds = page.driver.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('report-chart'));"
        "return c ? c.getOption().series.map(function (s) { return s.type; }) : null;"
    )
    assert kinds and kind in kinds, kinds
