"""Search engine benchmark: build an index of realistic Chinese dataset documents, then time queries.

    .venv/bin/python bench/search_engine.py [--docs 100000] [--queries 200]

Prints ``index_build`` (a full rebuild), ``query_p50``, ``query_p99`` and ``index_size`` lines, plus the CPU seconds
behind them (``*_cpu``), which stay meaningful when the machine is shared with other work.  Targets for 100k
documents: build ≤ 10 s, p50 ≤ 5 ms, p99 ≤ 20 ms (engine only; HTTP adds its own overhead).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.search.base import SearchQuery  # noqa: E402
from catalog.search.tantivy_index import TantivyIndex  # noqa: E402

DISTRICTS = {"500000": "重庆市", "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区",
             "500105": "江北区", "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区", "500109": "北碚区",
             "500110": "綦江区", "500111": "大足区", "500112": "渝北区", "500113": "巴南区", "500114": "黔江区",
             "500115": "长寿区", "500116": "江津区", "500117": "合川区", "500118": "永川区", "500119": "南川区",
             "500120": "璧山区", "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区", "500154": "开州区",
             "500155": "梁平区", "500156": "武隆区", "500229": "城口县", "500230": "丰都县", "500231": "垫江县",
             "500233": "忠县", "500235": "云阳县", "500236": "奉节县", "500237": "巫山县", "500238": "巫溪县",
             "500240": "石柱土家族自治县", "500241": "秀山土家族苗族自治县", "500242": "酉阳土家族苗族自治县",
             "500243": "彭水苗族土家族自治县"}
# theme → (subjects, indicators, data elements, tags)
THEMES = {
    "air": (["环境空气质量自动监测站", "空气质量", "城市环境空气", "大气颗粒物组分", "降尘"],
            ["PM2.5", "PM10", "臭氧", "二氧化硫", "二氧化氮", "一氧化碳", "AQI", "细颗粒物"],
            ["PM2.5浓度", "PM10浓度", "O3-8h浓度", "SO2浓度", "NO2浓度", "CO浓度", "AQI", "首要污染物"],
            ["空气质量", "大气", "颗粒物", "臭氧污染", "重污染天气"]),
    "surface-water": (["地表水水质自动监测站", "国控断面", "市控断面", "长江干流", "嘉陵江", "乌江"],
                      ["水质", "高锰酸盐指数", "氨氮", "总磷", "溶解氧", "化学需氧量", "水质类别"],
                      ["断面名称", "水温", "pH", "溶解氧", "高锰酸盐指数", "氨氮", "总磷", "总氮", "水质类别"],
                      ["地表水", "水质", "断面", "河长制", "长江保护"]),
    "groundwater": (["地下水环境", "地下水监测井", "地下水水位"], ["水质", "水位", "硝酸盐", "总硬度"],
                    ["监测井编号", "水位埋深", "总硬度", "硝酸盐氮", "水质类别"], ["地下水", "水位", "水质"]),
    "drinking-water": (["集中式饮用水水源地", "县级饮用水水源地", "乡镇饮用水水源"],
                       ["水质", "达标情况", "粪大肠菌群", "总磷"],
                       ["水源地名称", "取水量", "达标率", "超标项目"], ["饮用水", "水源地", "水质达标"]),
    "soil": (["土壤环境质量", "农用地土壤", "建设用地土壤"], ["重金属", "总镉", "总汞", "总砷", "总铅"],
             ["点位编号", "镉", "汞", "砷", "铅", "铬", "pH"], ["土壤", "重金属", "风险管控"]),
    "noise": (["区域声环境", "道路交通噪声", "功能区声环境"], ["昼间等效声级", "夜间等效声级", "噪声"],
              ["测点名称", "昼间Leq", "夜间Leq", "功能区类别"], ["噪声", "声环境"]),
    "radiation": (["辐射环境自动监测站", "电磁辐射"], ["空气吸收剂量率", "电磁环境"],
                  ["站点名称", "剂量率", "监测时间"], ["辐射", "核与辐射安全"]),
    "pollution-source": (["重点排污单位", "污水处理厂", "工业企业废气排放口", "排污许可"],
                         ["COD", "氨氮", "二氧化硫", "氮氧化物", "烟尘", "总磷"],
                         ["企业名称", "排放口编号", "COD排放浓度", "氨氮排放浓度", "SO2排放浓度", "废水流量"],
                         ["污染源", "在线监测", "排污许可", "执法监测"]),
    "ecology": (["自然保护区", "生态红线", "生物多样性观测样区"], ["植被覆盖度", "物种数量", "生态状况指数"],
                ["样区名称", "物种名称", "个体数", "观测日期"], ["生态", "生物多样性", "自然保护地"]),
    "meteorology": (["气象观测站", "城市气象"], ["气温", "风速", "风向", "降水量", "相对湿度"],
                    ["站点名称", "气温", "风速", "风向", "降水量"], ["气象", "气象条件"]),
}
PERIODS = {"实时": "小时数据", "每日": "日报", "每周": "周报", "每月": "月报", "每季度": "季报", "每年": "年报",
           "不定期": "专项调查数据"}
FORMATS = ["CSV", "XLSX", "JSON", "API", "PDF", "SHP", "XML", "Parquet"]
OPEN_TYPES = ["无条件开放", "有条件开放", "不予开放"]
LICENSES = ["cn-gov-open-1.0", "cc-by-4.0", "cc0-1.0"]
QUERY_WORDS = ["水质", "空气质量", "PM2.5", "细颗粒物", "氨氮", "a34004", "w21003", "臭氧", "噪声", "地下水",
               "饮用水水源地", "重点排污单位", "月报", "土壤 重金属", "嘉陵江 断面", "渝中区 空气", "COD",
               "生物多样性", "辐射", "总磷"]


def make_doc(i: int, rng: random.Random, orgs: list[tuple[str, str]]) -> dict:
    theme = rng.choice(list(THEMES))
    subjects, indicators, elements, tags = THEMES[theme]
    code = rng.choice(list(DISTRICTS))
    cycle = rng.choice(list(PERIODS))
    org, org_title = rng.choice(orgs)
    indicator = rng.choice(indicators)
    place = DISTRICTS[code]
    title = f"{place}{rng.choice(subjects)}{indicator}{PERIODS[cycle]}（{2015 + i % 11}年）"
    description = (f"{org_title}发布的{place}{rng.choice(subjects)}监测数据，包括{'、'.join(rng.sample(indicators, min(3, len(indicators))))}"
                   f"等指标，更新频率为{cycle}，依据国家相关技术规范开展监测与质量控制。")
    readers = ["public"] if rng.random() < 0.7 else rng.choice([["gov"], ["gov", f"org:{org}"], [f"org:{org}"]])
    modified = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 3_000_000))
    return {"id": f"ds-{i:06d}", "name": f"{org}-{theme}-{i:06d}", "title": title,
            "title_en": "", "description": description, "keywords": rng.sample(tags, 2) + [indicator],
            "org": org, "org_title": org_title, "themes": [theme], "tags": rng.sample(tags, 2),
            "formats": rng.sample(FORMATS, rng.randint(1, 3)), "districts": [code], "update_cycle": cycle,
            "open_type": rng.choices(OPEN_TYPES, [6, 3, 1])[0], "license_id": rng.choice(LICENSES),
            "state": "active" if rng.random() < 0.95 else "draft", "readers": readers, "modified": modified,
            "created": modified - timedelta(days=rng.randrange(0, 900)),
            "resource_code": f"2160{rng.randint(1, 11):02d}/{i:06d}",
            "elements": rng.sample(elements, min(4, len(elements)))}


def make_docs(n: int, seed: int = 20261130) -> list[dict]:
    rng = random.Random(seed)
    orgs = [("cq-sthjj", "重庆市生态环境局"), ("cq-hjjczx", "重庆市生态环境监测中心"),
            ("cq-slj", "重庆市水利局"), ("cq-qxj", "重庆市气象局")]
    orgs += [(f"cq-{c}-sthj", f"{name}生态环境局") for c, name in DISTRICTS.items() if c != "500000"]
    return [make_doc(i, rng, orgs) for i in range(n)]


def make_queries(n: int, seed: int = 7) -> list[SearchQuery]:
    rng = random.Random(seed)
    facets = ["org", "themes", "districts", "formats", "tags", "update_cycle", "open_type"]
    return [SearchQuery(q=rng.choice(QUERY_WORDS),
                        filters=[("state", "active"), ("open_type", rng.choice(OPEN_TYPES[:2])),
                                 ("formats", rng.choice(FORMATS))],
                        principals=frozenset({"public", "gov"}), facet_fields=facets, rows=20)
            for _ in range(n)]


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[math.ceil(len(ordered) * fraction) - 1]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--writer-threads", type=int, default=0, help="Tantivy indexing threads (0: one per CPU)")
    args = parser.parse_args()
    docs = make_docs(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        index = TantivyIndex(Path(tmp) / "search", writer_heap_mb=256, writer_threads=args.writer_threads)
        started, cpu_started, workers_started = time.perf_counter(), cpu_seconds(), worker_cpu_seconds()
        index.rebuild((docs[i:i + 5000] for i in range(0, len(docs), 5000)), len(docs))
        build, build_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        build_workers_cpu = worker_cpu_seconds() - workers_started
        queries = make_queries(args.queries)
        index.search(queries[0])                     # warm the searcher
        timings, cpu_timings, hits = [], [], 0
        for query in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            hits += index.search(query).count
            timings.append((time.perf_counter() - t0) * 1000)
            cpu_timings.append((time.thread_time() - c0) * 1000)
        timings.sort()
        cpu_timings.sort()
        print(f"documents: {index.count()} docs")
        print(f"index_build: {build:.2f} s")
        print(f"index_build_cpu: {build_cpu:.2f} s")       # all threads; the machine may be shared
        print(f"index_build_workers_cpu: {build_workers_cpu:.2f} s")   # text analysis in worker processes
        print(f"query_p50: {statistics.median(timings):.2f} ms")
        print(f"query_p99: {percentile(timings, 0.99):.2f} ms")
        print(f"query_cpu_p50: {statistics.median(cpu_timings):.2f} ms")
        print(f"query_cpu_p99: {percentile(cpu_timings, 0.99):.2f} ms")
        print(f"mean_hits: {hits / len(queries):.0f} docs")
        print(f"index_size: {folder_mb(Path(tmp)):.1f} MB")
        print(f"load_average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
