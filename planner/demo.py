"""A ready-made plan to explore Value Planner with, and to test and screenshot it against.

`build_demo_plan` writes the plan of Sam, a support analyst at a software company who is working
their way out of a dead-end job toward data analysis, one week at a time. It holds `weeks` past weeks
(13 by default: a quarter) plus the current one: week files with intentions and plan and review answers
for all seven practices, and tasks with estimates, time spent, @people, `self-started`, `ask-feedback`
and `acted-on-feedback` tags, due dates (mostly met, some late), takeaways in their notes and outcomes,
a few deleted tasks (tombstones), unfinished work moved on or back to the backlog, three repeating
tasks with a done occurrence in most weeks, and a current week that is part done.

The story is driven by the data tables below: each week has a "story" (how much momentum Sam had,
which skill they practised, what they wrote at the review), and tasks are drawn from per-practice
pools of specific ideas; repeating tasks (SERIES) are done week after week, each next occurrence made
by planner.repeat as the app makes it. The weeks improve over time, from a hesitant first week with a
spreadsheet to a portfolio analysis, except for one slump (a ticketing-system migration), so scores
and trends have something to show.

Everything is reproducible: the same `seed` and `today` give byte-identical files. Randomness comes
only from `random.Random(seed)`, times are derived from `today`, and task ids, which the app makes
from the clock and a random part, are made here from the task's created time and a seeded random
part in the same format. Files are written only through `PlanStore.add_task` and
`PlanStore.update_week`, so they are exactly what the app itself would write.

Command line: `python -m planner.demo DIR [--today YYYY-MM-DD] [--seed N] [--weeks N] [--timezone ZONE]`.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner.dates import WEEKDAYS, shift_week, week_days, week_of
from planner.ids import new_task_id
from planner.model import (
    RANK_DIGITS,
    Board,
    Task,
    WeekPlan,
    complete_task,
    delete_task,
    edit_task,
    frozen_mapping,
    move_task,
    new_task,
    normalise_tags,
    schedule_task,
    with_outcome,
)
from planner.repeat import next_occurrence, normalise_repeat, parse_repeat
from planner.store import LOCK_FILE, PlanStore, StoreError

DEMO_TODAY = date(2026, 11, 26)  # the "today" of the committed examples/demo-plan
DEMO_WEEKS = 13  # past weeks of history: a quarter, so the Impact screen has a quarter to show
BOARD_TITLE = "Sam: from support analyst to data analyst"

# --- the cast -------------------------------------------------------------------------------------

PEOPLE: Mapping[str, str] = {
    "maria": "analyst on the data team, moved over from support two years ago",
    "priya": "head of analytics",
    "jon": "my team lead in support",
    "tom": "support colleague",
    "lena": "product manager for billing",
    "kofi": "runs the Bristol data meetup",
    "anna": "BI engineer",
    "raj": "friend switching careers too, my study buddy",
    "sofia": "customer success lead",
}

# --- task ideas, per practice ----------------------------------------------------------------------


@dataclass(frozen=True)
class Idea:
    """A task Sam might plan. `takeaway` goes into the notes when it is done; `notes` from the start;
    `stage` is the first week of the story arc (0 = first) where it makes sense, so a task that
    follows up on something never comes before it, and `until` the last (None: any later week), so a
    first step never comes months after the steps that follow it; `again` marks a routine that makes
    sense more than once (a weekly summary), where most ideas happen once in a story (a first coffee)."""

    title: str
    estimate: int
    tags: tuple[str, ...] = ()
    takeaway: str = ""
    notes: str = ""
    stage: int = 0
    #: Numbers of what it changed, recorded with its outcome when it is done (the takeaway's words).
    impact: Mapping[str, float] = field(default_factory=dict)
    again: bool = False
    until: int | None = None

    def fits(self, stage: int) -> bool:
        return self.stage <= stage and (self.until is None or stage <= self.until)


# Skill practice follows the arc of the story, so its ideas are grouped by topic. Stages count the
# weeks of STORY_ARC: 0-1 spreadsheets, 2-4 first SQL, 5-6 SQL on real questions, 7 pandas, 8 the
# migration slump, 9 charts, 10 dashboards, 11 statistics, 12 the portfolio project, 13 the current week.
SKILL_IDEAS: Mapping[str, tuple[Idea, ...]] = {
    "spreadsheets": (
        Idea("Rebuild the weekly ticket report from the raw export, no copied formulas", 90,
             takeaway="Two hours the first time, but I can explain every number in it now."),
        Idea("Replace the weekly report's VLOOKUPs with XLOOKUP", 30,
             takeaway="XLOOKUP's 'if not found' argument ends the #N/A cells in the agent column."),
        Idea("Answer @jon's weekend-volume question with a pivot table", 45, ("@jon",),
             takeaway="Weekends are 9% of tickets but 20% of the P1s; Jon took it to the rota meeting."),
        Idea("Practise COUNTIFS and SUMIFS on the quarter's tickets", 45,
             takeaway="COUNTIFS with two date bounds replaces the helper column I filtered by hand.", again=True),
        Idea("Chart first-response time by weekday from a pivot table", 45,
             takeaway="Mondays are twice as slow as Thursdays; the chart says it in one look."),
    ),
    "sql-basics": (
        Idea("Rewrite three of my pivot tables as SQL on the read-only ticket database", 60,
             takeaway="GROUP BY is a pivot table without the dragging."),
        Idea("Work through SELECT, WHERE and ORDER BY on the ticket tables", 45,
             takeaway="The tickets table has 40 columns; six of them answer almost everything."),
        Idea("Count tickets per week with date_trunc and GROUP BY", 45,
             takeaway="The weekly counts match the spreadsheet to the ticket once both use UTC."),
        Idea("Find the customers with more than five tickets a month using HAVING", 30,
             takeaway="WHERE filters rows, HAVING filters groups: it is on a sticky note now."),
        Idea("Answer a question from my question log with a query instead of an export", 45,
             takeaway="Ten minutes instead of an afternoon, and it reruns next month.", again=True),
        Idea("Write the Q3 ticket summary as four queries, one per question", 60, stage=4,
             takeaway="Two agents were counted twice in the spreadsheet version of the summary.", until=4),
        Idea("List the ten busiest customers of the quarter with ORDER BY and LIMIT", 30,
             takeaway="Three of the ten are on the enterprise plan; Sofia wanted to know."),
    ),
    "sql": (
        Idea("Rewrite the ticket-triage query with window functions", 60,
             takeaway="ROW_NUMBER() over each customer's tickets replaced two self-joins: 40s down to 4s.",
             impact={"seconds_saved_per_run": 36}),
        Idea("Write five queries against the ticket database without looking anything up", 45,
             takeaway="Still need the docs for date_trunc; joins and GROUP BY now from memory.", again=True),
        Idea("Redo last month's escalation count in SQL instead of the spreadsheet", 60,
             takeaway="Off by 3 from the spreadsheet: it double-counts reopened tickets."),
        Idea("Practise LEFT vs INNER JOIN on the customers and tickets tables", 45,
             takeaway="Customers without tickets vanish in an inner join: that's why 'quiet accounts' looked short."),
        Idea("Solve three exercises on window frames (ROWS BETWEEN)", 45,
             takeaway="Rolling 7-day averages finally make sense.", again=True),
        Idea("Ask @maria to review my median-resolution-time query", 30, ("@maria", "ask-feedback"),
             takeaway="Use PERCENTILE_CONT, and drop auto-closed tickets before measuring."),
    ),
    "pandas": (
        Idea("Clean the exported ticket CSV in pandas: dates, duplicates, missing agents", 90,
             takeaway="to_datetime(utc=True) fixed the mixed offsets; 212 duplicate rows from the export bug."),
        Idea("Reshape weekly ticket counts with groupby and pivot_table", 60,
             takeaway="pivot_table(margins=True) gives the totals row for free."),
        Idea("Redo the CSAT spreadsheet as a pandas notebook", 90, ("self-started",),
             takeaway="Reproduces the monthly numbers in 30 seconds instead of an hour.",
             impact={"minutes_saved_per_month": 60}),
        Idea("Practise merge() on tickets and customer plans until the row counts add up", 45,
             takeaway="validate='many_to_one' catches the duplicated plan rows straight away.", again=True),
        Idea("Add assert checks to the ticket-cleaning notebook", 30,
             takeaway="Three asserts caught a silent time-zone shift in the export."),
    ),
    "charts": (
        Idea("Redraw the ticket-volume chart so it answers one question", 60,
             takeaway="Labelled the lines directly and dropped the legend: half the ink, twice as clear."),
        Idea("Make small-multiple charts of first-response time per product", 60,
             takeaway="Shared y-axis matters: without it the small product looked like the worst."),
        Idea("Rebuild the monthly SLA chart in matplotlib from scratch", 90,
             takeaway="Finally understand figure vs axes; the chart code is now 25 lines, not 80."),
        Idea("Show the before/after CSAT chart to @tom and ask what he reads first", 20, ("@tom", "ask-feedback"),
             takeaway="He reads the title first, so the title should state the finding."),
    ),
    "dashboards": (
        Idea("Build a Metabase dashboard of backlog age for the support team", 90, ("self-started",),
             takeaway="Three questions, one page; the team opened it 31 times in the first week.",
             impact={"views_in_the_first_week": 31}),
        Idea("Add product and plan filters to the backlog dashboard", 45,
             takeaway="Linked filters need the same column name in every question."),
        Idea("Rewrite the dashboard's slowest question as one SQL query", 60,
             takeaway="One CTE instead of three nested saved questions: loads in 2s."),
        Idea("Walk @anna through the dashboard and ask what she would change", 30, ("@anna", "ask-feedback"),
             takeaway="Put the number people act on top-left; move the trend below it."),
    ),
    "stats": (
        Idea("Work through confidence intervals on real CSAT scores", 60,
             takeaway="Our 'drop' in CSAT last month is inside the noise for 80 responses."),
        Idea("Check whether the new reply macro really cut handling time", 90, ("self-started",),
             takeaway="It did: about 6%, not the 20% we claimed. Still worth keeping."),
        Idea("Practise explaining a p-value in two sentences without jargon", 20,
             takeaway="'How surprised should we be if nothing had changed' works for Jon."),
        Idea("Bootstrap the median resolution time in pandas", 60,
             takeaway="A thousand resamples in a list comprehension is fast enough; no library needed."),
    ),
    "portfolio": (
        Idea("Define the portfolio question: which ticket patterns come before a customer cancels?", 45,
             takeaway="Narrowed to 'in the 60 days before cancelling' so the data can answer it."),
        Idea("Join ticket history to cancellations for the churn analysis", 90,
             takeaway="Lost 40 customers in the join: account ids changed at the 2024 migration."),
        Idea("Draft the churn notebook narrative: question, data, findings, limits", 90,
             takeaway="Writing the limits section first kept the findings honest."),
        Idea("Make the three key charts for the churn write-up", 60,
             takeaway="Reopened tickets are the strongest signal; it needed only one chart."),
        Idea("Rehearse the 10-minute churn walkthrough out loud, timed", 30,
             takeaway="First run took 16 minutes; cut the data-cleaning part to one slide."),
        Idea("Publish the cleaned churn notebook on GitHub with a README", 60,
             takeaway="Anonymised customer ids with a salted hash before publishing."),
    ),
}

PRACTICE_IDEAS: Mapping[str, tuple[Idea, ...]] = {
    "change": (
        Idea("Try dbt on the ticket-volume model for a week", 60,
             takeaway="Tests on the model caught a null agent id on day two. Keeping it.", stage=7),
        Idea("Switch my ticket notes to a Markdown template", 20,
             takeaway="Handover questions from the night shift dropped noticeably."),
        Idea("Use the new ticketing system's automation rules instead of manual tagging", 45,
             takeaway="Saves about 20 minutes a day once the rules were right.", stage=8,
             impact={"minutes_saved_per_day": 20}, until=10),
        Idea("Try time-blocking: two 45-minute focus blocks before the queue opens", 15,
             takeaway="Mornings work; the afternoon block never survives the queue."),
        Idea("Move my analysis notebooks from Excel to Jupyter", 45,
             takeaway="Reruns are one click; sharing needs an HTML export for people without Python.", stage=7, until=8),
        Idea("Trial the AI reply suggestions on ten tickets and note what they get wrong", 45,
             takeaway="Good on password resets, wrong on billing every time.", stage=8),
        Idea("Use DuckDB to answer questions straight from CSV exports", 30,
             takeaway="SELECT straight from the CSV file: no import step at all.", stage=5, until=10),
        Idea("Replace the Friday status email with a two-line Slack update", 15,
             takeaway="Jon replied to the Slack update within minutes; the emails he never answered."),
        Idea("Keep my SQL snippets in a private git repository", 30,
             takeaway="Already used the history once to recover a deleted filter.", stage=3, until=4),
        Idea("Answer repeat data questions with a saved query link instead of a screenshot", 20,
             takeaway="People rerun it themselves next time instead of asking again.", stage=4, until=5),
        Idea("Try writing the weekly summary first thing Monday instead of Friday afternoon", 20),
        Idea("Use a notebook template with question, data, findings and limits headings", 15, stage=9, until=11),
        Idea("Book a 45-minute practice slot before the queue opens, four mornings a week", 10,
             takeaway="Kept two of the four; the Monday slot never survives the weekend backlog.", until=2),
        Idea("Mute the team channel during the morning practice slot", 5,
             takeaway="Nobody noticed for 45 minutes and the queue was fine.", until=3),
        Idea("Query the read-only database copy instead of exporting to a spreadsheet", 20, stage=2,
             takeaway="The numbers come straight from the source: no more stale exports.", until=5),
        Idea("Keep one running notes document instead of sticky notes", 10,
             takeaway="Found last month's query idea in ten seconds."),
        Idea("Answer one support question a day with data instead of a guess", 20, stage=2),
        Idea("Use the SQL editor's keyboard shortcuts for a week", 10, stage=3,
             takeaway="Formatting and running a query without the mouse: small, but it adds up."),
        Idea("Use a checklist before any number leaves the team", 15, stage=4,
             takeaway="Caught a wrong date filter the second time I used it."),
        Idea("Pair-write a query with @tom over a call instead of sending him the answer", 30, ("@tom",), stage=5),
        Idea("Share notebooks as HTML instead of screenshots of charts", 15, stage=8),
        Idea("Keep Wednesday afternoon free of meetings for the portfolio project", 15, stage=12,
             takeaway="Finished the join in one sitting instead of four evenings."),
        Idea("Move the practice slots to Tuesday to Friday and leave Monday to the queue", 10, stage=6,
             takeaway="Kept four of four slots for the first time."),
        Idea("Start every notebook with the question it answers, in one line", 10, stage=10),
        Idea("Draft ticket summaries by dictation and edit them, for a week", 15, stage=9,
             takeaway="Faster for long tickets, slower for short ones: only for escalations from now on."),
    ),
    "initiative": (
        Idea("Write a one-page proposal for a weekly ticket-trends email to product", 60, ("self-started", "@lena"),
             takeaway="Lena wants a sample first, so the proposal becomes a pilot.", until=6),
        Idea("Volunteer to pull the data for the Q4 support capacity review", 30, ("self-started", "@jon"),
             takeaway="Got the job; first time my numbers go to the leadership meeting.", stage=5),
        Idea("Document the top ten escalation causes from last quarter's tickets", 90, ("self-started",),
             takeaway="Four of the ten are the same billing bug under different names."),
        Idea("Offer to clean up the broken 'product area' field in the ticket form", 45, ("self-started",),
             takeaway="Merged 23 values into 7; reporting by product is possible again.",
             impact={"field_values_merged": 16}),
        Idea("Fix the duplicate-customer bug in the support export script", 60, ("self-started",),
             takeaway="The export joined on email, not account id. One-line fix.",
             impact={"duplicate_rows_removed": 212}, stage=5),
        Idea("Propose tagging rules so billing tickets can be counted reliably", 45, ("self-started", "@lena")),
        Idea("Set up a shared query library for the support team", 60, ("self-started",),
             takeaway="Tom added two queries of his own the same day.",
             impact={"people_using_it": 2}, stage=4),
        Idea("Build a small alert for tickets waiting more than 48 hours", 60, ("self-started",),
             takeaway="Caught four forgotten tickets on its first day.",
             impact={"tickets_rescued": 4}, stage=5, until=9),
        Idea("Offer to analyse the onboarding survey nobody has opened", 90, ("self-started", "@sofia"),
             takeaway="Setup emails are the top complaint; sent Sofia three charts."),
        Idea("Offer a lunch-and-learn on SQL basics for the support team", 45, ("self-started",), stage=5),
        Idea("Sketch a support-to-analytics apprenticeship idea for @priya", 45, ("self-started", "@priya"),
             stage=11),
        Idea("Start a log of the data questions people ask in the support channel", 20, ("self-started",),
             takeaway="Twelve questions in the first week; half of them one saved query could answer.",
             impact={"questions_logged": 12}, until=3),
        Idea("Answer @tom's first-response-time question with a query", 30, ("self-started", "@tom"), stage=3,
             takeaway="He took the answer into his 1:1 with Jon.", until=4),
        Idea("Offer to check the Q3 support numbers before they go to leadership", 30, ("self-started", "@jon"),
             stage=4, takeaway="Found two agents counted twice; the corrected numbers went out on time.", until=4),
        Idea("Turn the question log into an FAQ for the support channel", 45, ("self-started",), stage=2,
             takeaway="Tom linked to it twice in the first week."),
        Idea("Write a short guide to the ticket fields for new starters", 60, ("self-started",),
             takeaway="Both new starters this month used it in their first week.",
             impact={"new_starters_helped": 2}),
        Idea("Offer to take the weekly-numbers slot at the support stand-up", 20, ("self-started", "@jon"), stage=6),
    ),
    "relationships": (
        Idea("Coffee with @maria from the data team about her move to analytics", 30, ("@maria",),
             takeaway="Her first six months were mostly data cleaning; she says support knowledge is her edge.",
             stage=2, until=3),
        Idea("Ask @priya for 20 minutes on what a junior analyst's first year looks like", 30, ("@priya",),
             takeaway="She hires for curiosity and clear writing more than for tools.", stage=3, until=6),
        Idea("Lunch with @tom: swap tricks for the new ticketing system", 45, ("@tom",)),
        Idea("Go to the Bristol data meetup and talk to two people I don't know", 120, ("@kofi",),
             takeaway="Met two analysts from a bank; both started in operations roles.", again=True),
        Idea("Send @raj my notes from the SQL course and compare progress", 15, ("@raj",), stage=2, again=True),
        Idea("Thank @anna for the Metabase help with an example of what it fixed", 10, ("@anna",), stage=10),
        Idea("Introduce @tom to @maria for his reporting question", 10, ("@tom", "@maria"), stage=3),
        Idea("Catch up with @sofia on what customer success wishes support data showed", 30, ("@sofia",),
             takeaway="She wants ticket history next to renewal dates; that is a dashboard.", again=True),
        Idea("Reply properly to @kofi about speaking at the meetup", 15, ("@kofi",), stage=9),
        Idea("1:1 with @jon: tell him about the move toward analysis", 30, ("@jon",),
             takeaway="He is supportive and will ask for a day a week on data work in the new year.", stage=3, until=5),
        Idea("Study session with @raj on the statistics course", 60, ("@raj",), stage=10, again=True),
        Idea("Ask @anna how the BI team reviews each other's SQL", 20, ("@anna",),
             takeaway="They review queries like code: small changes, one reviewer, checklists.", stage=5),
        Idea("Ask @raj how his switch into analytics is going and what he studies", 30, ("@raj",),
             takeaway="He is three months ahead of me; we compare notes every week from now on.", until=2),
        Idea("Ask @kofi which meetup talks suit someone new to data", 10, ("@kofi",),
             takeaway="The beginners' track in January, and last month's recorded talk on messy data."),
        Idea("Coffee with @anna: how did she get into BI engineering?", 30, ("@anna",), stage=4,
             takeaway="She came from finance operations; knowing the business mattered more than any course."),
        Idea("Ask @lena what product wishes it knew from support tickets", 30, ("@lena",),
             takeaway="Which customers hit the same bug twice: that is a query I can write."),
        Idea("Introduce myself to @priya after the all-hands", 10, ("@priya",), stage=1, until=4),
        Idea("Thank @tom for covering the queue during my practice slot", 5, ("@tom",), again=True),
        Idea("Check in with @raj on his portfolio project", 20, ("@raj",), stage=6, again=True),
        Idea("Ask @jon how other people here moved into analytics before", 20, ("@jon",), stage=5,
             takeaway="Two engineers moved over last year on a secondment; he will ask how it was set up."),
        Idea("Sit with @sofia's team for an hour to see how they use support data", 60, ("@sofia",), stage=5),
    ),
    "proactive": (
        Idea("Send @jon the weekly escalations summary before Monday stand-up", 30, ("@jon",), again=True),
        Idea("Prepare the monthly SLA numbers two days before they are asked for", 60, again=True),
        Idea("Flag the three enterprise renewals with open P1 tickets to @sofia", 20, ("@sofia",), again=True),
        Idea("Write handover notes before my day off", 30, again=True),
        Idea("Check the December rota for gaps and raise them now", 20, stage=8),
        Idea("Renew the Metabase trial before it locks the dashboard", 10, stage=10),
        Idea("Draft the agenda for Thursday's support retro ahead of time", 20, again=True),
        Idea("Update the ticket-export script before the old API version is retired", 45,
             takeaway="Two field names changed; would have broken every report on the 1st.", stage=5),
        Idea("Book the course exam slot before the early-bird price ends", 10),
        Idea("Back up my notebooks before the laptop refresh", 15),
        Idea("Confirm the room and screen for the churn walkthrough", 10, stage=13),
        Idea("Send @lena the billing-ticket counts before her planning meeting", 20, ("@lena",), again=True),
        Idea("Request read-only database access from IT before I need it", 10,
             takeaway="It took four days to come through: asking a week early was right.", until=2),
        Idea("Do the month-end ticket audit checks on Friday, not Monday morning", 30, again=True),
        Idea("Block the morning practice slots in my calendar for the next month", 10),
        Idea("Prepare the numbers for @jon's monthly review a day early", 30, ("@jon",), again=True),
        Idea("Check the Black Friday staffing plan against last year's ticket volume", 30, stage=11,
             takeaway="Last year's peak came on the Monday after, not on the Friday."),
    ),
    "feedback": (
        Idea("Ask @jon for one thing I should do more of and one less", 20, ("ask-feedback", "@jon"),
             takeaway="More: summaries. Less: long explanations in the team channel.", again=True),
        Idea("Ask @maria what would make my SQL read like a professional's", 20, ("ask-feedback", "@maria"),
             takeaway="Name CTEs after what they contain, never step1 or temp.", stage=4, until=6),
        Idea("Share the churn notebook draft with @priya and ask where it loses her", 20, ("ask-feedback", "@priya"),
             takeaway="Lost her at the join section: move it to an appendix.", stage=12),
        Idea("Ask @tom whether the escalations summary is actually useful", 10, ("ask-feedback", "@tom"),
             takeaway="Useful, but he wants it on Monday morning, not Friday.", again=True),
        Idea("Rename the notebook's CTEs and variables the way @maria suggested", 30, ("acted-on-feedback", "@maria"),
             stage=7),
        Idea("Cut the escalations summary to five bullets after @jon's comment", 20, ("acted-on-feedback", "@jon"),
             stage=6),
        Idea("Add a 'so what' line under every chart, as @priya asked", 30, ("acted-on-feedback", "@priya"),
             stage=10),
        Idea("Ask @anna to review the dashboard layout", 15, ("ask-feedback", "@anna"), stage=10),
        Idea("Tell @tom what changed in the summary because of his feedback", 10, ("acted-on-feedback", "@tom"),
             stage=8),
        Idea("Move the churn join details to an appendix, as @priya suggested", 30, ("acted-on-feedback", "@priya"),
             stage=13),
        Idea("Ask @raj to try my notebook cold and note where he gets stuck", 15, ("ask-feedback", "@raj"),
             takeaway="Stuck at the first cell: the data path was hard-coded to my laptop.", stage=12),
        Idea("Ask @jon whether my numbers answered his question", 10, ("ask-feedback", "@jon"),
             takeaway="They did, but say how many tickets each number is based on."),
        Idea("Put the ticket count under every number I send, as @jon asked", 15, ("acted-on-feedback", "@jon"),
             stage=1),
        Idea("Ask @maria to look at my first three SQL queries", 15, ("ask-feedback", "@maria"), stage=3,
             takeaway="Write the question as a comment above every query.", until=5),
        Idea("Write the question above every query, as @maria suggested", 15, ("acted-on-feedback", "@maria"),
             stage=3),
        Idea("Ask @tom whether my new ticket notes help the night shift", 10, ("ask-feedback", "@tom"),
             takeaway="They do: the 'what I tried' line saves them a call."),
        Idea("Add a 'what I tried' line to every handover note after @tom's comment", 10,
             ("acted-on-feedback", "@tom"), stage=1),
        Idea("Ask @sofia whether the renewals chart answers her question", 15, ("ask-feedback", "@sofia"), stage=9,
             takeaway="Not yet: she wants the renewal date on the chart, not in a table below it."),
        Idea("Ask @kofi for feedback on my meetup talk outline", 15, ("ask-feedback", "@kofi"), stage=10),
        Idea("Ask @raj to review this week's queries before I share them", 15, ("ask-feedback", "@raj"), stage=3,
             again=True),
        Idea("Ask @tom which of my numbers he actually used this month", 10, ("ask-feedback", "@tom"), stage=4,
             again=True),
    ),
    "learning": (
        Idea("Read the 'choosing an effective visual' chapter of Storytelling with Data", 45,
             takeaway="Bar charts beat pies almost always; a slopegraph suits before/after."),
        Idea("Watch the window-functions module of the Mode SQL tutorial", 60,
             takeaway="PARTITION BY is GROUP BY that keeps the rows.", stage=5),
        Idea("Listen to a podcast episode on analytics engineering on the commute", 40,
             takeaway="Analytics engineers own the models; analysts own the questions.", again=True),
        Idea("Work through Kaggle's pandas lessons on grouping and sorting", 60,
             takeaway="agg() with named aggregations keeps column names readable.", stage=6),
        Idea("Read an article on asking good data questions", 20,
             takeaway="Start from the decision the numbers will change."),
        Idea("Watch a recorded PyData talk on tidy data", 45,
             takeaway="One row per observation makes every later step simpler."),
        Idea("Do week one of the Google Data Analytics certificate", 120,
             takeaway="The analysis process: ask, prepare, process, analyse, share, act.", until=5),
        Idea("Read two chapters of Naked Statistics", 60,
             takeaway="The central limit theorem is why our weekly averages look calmer than daily ones."),
        Idea("Attend the webinar on data modelling in Metabase", 60,
             takeaway="Models hide messy joins from the people asking questions.", stage=9),
        Idea("Read five junior data analyst job ads and list the skills they share", 30,
             takeaway="SQL in all five, Python in three, 'stakeholder communication' in all five.", again=True),
        Idea("Study how @maria's team documents a metric", 30, ("@maria",),
             takeaway="Every metric has an owner, a definition, and a 'do not use for' line.", stage=3),
        Idea("Read the chapter on A/B tests in Trustworthy Online Controlled Experiments", 60,
             takeaway="Check the sample ratio before trusting any result.", stage=10),
        Idea("Do the SQLBolt lessons on SELECT and filtering", 45, stage=2,
             takeaway="Lesson 6, joins, is exactly where my pivot tables run out.", until=5),
        Idea("Watch a talk on what junior data analysts do in their first year", 30,
             takeaway="Mostly cleaning data and answering the same five questions well.", until=4),
        Idea("Read the spreadsheet guide on pivot tables end to end", 30,
             takeaway="Grouping dates by week inside the pivot saves a helper column.", until=4),
        Idea("Read the Mode SQL tutorial's section on CASE WHEN", 30, stage=2,
             takeaway="CASE inside COUNT() counts several categories in one pass."),
        Idea("Read the data team's SQL style guide", 20, ("@maria",), stage=3,
             takeaway="Lowercase keywords, one column a line, CTEs instead of nested subqueries."),
        Idea("Read the chapter on fact and dimension tables in The Data Warehouse Toolkit", 60, stage=5,
             takeaway="Our tickets table is a fact table; customers and agents are its dimensions."),
        Idea("Skim the analytics team's last three reports to see how they write", 30, stage=5,
             takeaway="Every report opens with the answer, then the evidence."),
        Idea("Watch a PyData talk on method chaining in pandas", 45, stage=6,
             takeaway="A chain of .assign() and .query() reads top to bottom like the cleaning steps."),
        Idea("Read a blog post on how a support team measures first-contact resolution", 20,
             takeaway="They leave out tickets merged within an hour; we count those twice."),
        Idea("Read the chapter on misleading charts in Calling Bullshit", 45, stage=8,
             takeaway="Two y-axes can make any two lines look related."),
        Idea("Listen to a podcast interview with an analyst who started in customer support", 40,
             takeaway="Knowing the customers beat knowing the tools in her first year."),
        Idea("Watch the Metabase tutorial on dashboard filters", 30, stage=9,
             takeaway="Field filters need a mapped field, not a plain text variable."),
        Idea("Read a published churn analysis and note how it is structured", 30, stage=11,
             takeaway="Question, data, finding, limits, next step: a page each."),
        Idea("Read one issue of a data newsletter and note one thing to try", 15, again=True),
        Idea("Do one SQL puzzle from the practice site over lunch", 20, stage=2, again=True),
        Idea("Watch one lesson of the statistics course on the commute", 30, stage=10, again=True),
    ),
}

PRACTICES = ("skills", "change", "initiative", "relationships", "proactive", "feedback", "learning")

# How many new tasks of each practice Sam plans in a week (inclusive range, drawn per week).
PLANNED_PER_WEEK: Mapping[str, tuple[int, int]] = {
    "skills": (2, 3),
    "change": (1, 2),
    "initiative": (1, 1),
    "relationships": (1, 2),
    "proactive": (1, 2),
    "feedback": (1, 2),
    "learning": (1, 3),
}

# Share of non-proactive tasks given a due date; proactive tasks always have one.
DUE_SHARE = 0.3
SPENT_SHARE = 0.55  # done tasks whose actual minutes Sam bothered to record
AD_HOC_SHARE = 0.2  # tasks added on the day rather than at Sunday planning
BACKLOG_IDEAS_NOW = 3  # fresh unscheduled ideas added during the current week
DOING_NOW = 2  # tasks in progress on `today`, under the doing column's WIP limit
# (hour, minute) a task tends to get finished: before the queue opens, at lunch, or in the evening.
DONE_SLOTS = ((7, 40), (12, 35), (13, 5), (17, 50), (19, 15), (20, 30), (21, 10))
NOW_TIME = time(17, 30)  # the demo's "now" on `today`: after work, before the evening session

# --- the weeks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekStory:
    """What a week was like. `momentum` is the chance a planned task gets done; `late_share` the
    chance a done task with a due date is finished after it; `dropped` how many unfinished tasks are
    deleted at the review. `review` holds the hand-written review answers by `<practice>.<prompt>`."""

    headline: str
    momentum: float
    late_share: float
    dropped: int
    skill_topic: str
    skill_focus: str
    skill_drill: str
    risk: str
    learning_question: str
    review: Mapping[str, str] = field(default_factory=dict)


# Oldest first; the last `weeks` of these are played (padded with the first when more are asked for).
# A story's position in STORY_ARC is its stage, which decides which ideas can be drawn.
PAST_STORIES: tuple[WeekStory, ...] = (
    WeekStory(
        "Week one of the plan. Stopped waiting for an analyst job to be advertised: a year from now I want "
        "to be working as one. Booked four morning practice slots and kept two.",
        0.5, 0.25, 0, "spreadsheets", "The spreadsheet formulas I keep looking up",
        "Rebuild the weekly ticket report from the raw export without copying last week's file",
        "Two people on holiday until Wednesday: the practice slots will be the first thing to go.",
        "Which skills does a junior data analyst need on day one?",
        {
            "skills.progress": "Rebuilt the weekly report from scratch. Two hours instead of one, but I "
            "understand every cell now.",
            "change.verdict": "Morning slots: two out of four. Better than none; Monday is hopeless.",
            "initiative.outcome": "Nothing others can see yet. Mostly watched how people ask for data.",
            "relationships.learned": "The only person I know who made this move is Maria on the data team. "
            "I should ask her how.",
        },
    ),
    WeekStory(
        "Pivot tables on the whole quarter's tickets. First time I answered one of Jon's questions with "
        "numbers instead of a hunch.",
        0.55, 0.2, 1, "spreadsheets", "Pivot tables and charts on the quarter's tickets",
        "Answer three of Jon's questions about the queue with one pivot table each",
        "The month-end ticket audit lands on Monday: do the checks on Friday.",
        "How do analysts check a number is right before they send it?",
        {
            "skills.progress": "Jon's weekend-volume question took 20 minutes, and he used the answer at "
            "stand-up.",
            "change.verdict": "Muting the team channel during practice works; nobody noticed.",
            "initiative.outcome": "Started a log of the data questions people ask: twelve this week.",
            "relationships.learned": "Raj is switching careers too, three months ahead of me. We compare "
            "notes every week now.",
            "feedback.heard": "Jon: good answer, but say how many tickets each number is based on.",
        },
    ),
    WeekStory(
        "Coffee with Maria from the data team: she moved over from support too, and says everyone starts "
        "in a spreadsheet. Wrote my first SQL query the same evening.",
        0.55, 0.2, 0, "sql-basics", "SQL basics: SELECT, WHERE and GROUP BY",
        "Rewrite three of my pivot tables as queries on the read-only ticket database",
        "Database access needs a request to IT, and IT takes days: ask on Monday.",
        "Why does everyone say to learn SQL before Python?",
        {
            "skills.progress": "Three pivot tables are queries now. GROUP BY is a pivot table without the "
            "dragging.",
            "change.verdict": "Querying the database copy instead of exports: fresher numbers, fewer files.",
            "initiative.outcome": "Half of the logged questions could be one saved query each.",
            "relationships.learned": "Maria spent her first months in analytics cleaning data. Less glamorous "
            "than I thought, and that is encouraging. She offered a 1:1 every other week once I have "
            "queries to show.",
            "feedback.heard": "Jon noticed the ticket counts under my numbers and said so.",
        },
    ),
    WeekStory(
        "A week of small SQL wins: two questions from my log answered with queries, and Tom asked me for one "
        "of his own.",
        0.6, 0.2, 1, "sql-basics", "Filtering and counting by date in SQL",
        "Answer two questions from the log with queries, each checked against the spreadsheet",
        "Half the team is at the offsite on Thursday: the queue first, practice after.",
        "How do analysts make sure a query answers the question that was actually asked?",
        {
            "skills.progress": "Weekly counts by date_trunc match the spreadsheet to the ticket.",
            "change.verdict": "SQL snippets in a git repository: overkill for now, but I like the history.",
            "initiative.outcome": "Answered Tom's first-response-time question; he took it to his 1:1 with Jon.",
            "relationships.learned": "Tom wants numbers too; he never knew where to get them.",
            "feedback.heard": "Tom: great answer, but a screenshot of a query result is hard to reuse.",
        },
    ),
    WeekStory(
        "Told Jon I want to move toward data analysis. He didn't laugh; he asked what I need. First 1:1 with "
        "Maria on Tuesday.",
        0.65, 0.2, 0, "sql-basics", "GROUP BY and HAVING on a whole quarter of tickets",
        "Write the quarter's ticket summary as one query per question, no spreadsheet",
        "Quarter end: the Q3 support numbers are due Friday, and I offered to check them.",
        "What does a junior data analyst actually do all day?",
        {
            "skills.progress": "The Q3 summary came from four queries and caught a double count in the "
            "spreadsheet version.",
            "change.verdict": "Saved query links instead of screenshots: Tom reran one himself.",
            "initiative.outcome": "Checked the Q3 numbers before they went out; nobody else had spotted the "
            "double count.",
            "relationships.learned": "Maria's advice: pick real questions from the support queue, not course "
            "exercises.",
            "feedback.heard": "Jon reads only the first line of my ticket summaries.",
        },
    ),
    WeekStory(
        "A month in, and the spreadsheet days are over: SQL joins on our own ticket data every morning, "
        "answering real questions from the support queue.",
        0.6, 0.25, 0, "sql", "SQL joins and aggregation on our own ticket data",
        "Answer five real questions from the support queue with queries instead of the spreadsheet",
        "Monday queue spikes eat the practice slot.",
        "How do analysts find out what the columns of a database actually mean?",
        {
            "skills.progress": "I can join tickets to customers without checking the syntax.",
            "change.verdict": "Too early to call; tried it twice.",
            "initiative.outcome": "Small favours so far. Need to pick something bigger that others will see.",
            "relationships.learned": "Maria's team keeps a glossary of every column; she shared it with me.",
            "feedback.heard": "Maria: a query nobody else can read is a query nobody trusts. Format them.",
        },
    ),
    WeekStory(
        "Tried adding evening practice to the mornings: practice before the queue opens works, evenings "
        "don't.",
        0.65, 0.2, 1, "sql", "SQL window functions",
        "Rewrite the slowest triage queries with ROW_NUMBER and running totals",
        "The SLA report is due in the same week as the team offsite.",
        "Which SQL features do analysts use every day, and which are interview trivia?",
        {
            "skills.progress": "Window functions clicked: the triage query went from 40 seconds to 4.",
            "change.verdict": "Keep the morning blocks; drop the evening ones, I'm too tired after the queue.",
            "initiative.outcome": "Proposed the ticket-trends email to Lena; she wants a sample first.",
            "relationships.learned": "Priya hires for curiosity and clear writing more than for tools.",
            "feedback.heard": "Maria: name CTEs after what they contain, not step1.",
            "feedback.changed": "Renamed every CTE in my query file; it reads like a list of ingredients now.",
        },
    ),
    WeekStory(
        "Started pandas on the ticket exports. Slower going than SQL, but the export is where the messy "
        "data lives.",
        0.7, 0.15, 0, "pandas", "Cleaning messy exports in pandas",
        "Take last month's raw ticket export to a tidy table with one notebook and no manual edits",
        "The ticketing-system migration starts next week: write the handover notes now.",
        "How do analysts keep their cleaning steps reproducible?",
        {
            "skills.progress": "Cleaned a whole month's export in one run and found 212 duplicate rows the "
            "spreadsheet had been counting.",
            "change.verdict": "Jupyter is a keeper; Excel only for quick looks now.",
            "initiative.outcome": "Tom now builds his own reports on my cleaned export.",
            "relationships.learned": "Anna's BI team reviews each other's SQL like code.",
            "feedback.heard": "Tom finds the summary useful but wants it on Monday, not Friday.",
        },
    ),
    WeekStory(
        "Migration week. The new ticketing system went live and the queue doubled: ten-hour days and "
        "almost no practice. Kept the streak alive with small things.",
        0.25, 0.6, 2, "pandas", "Keep pandas ticking over: 20 minutes a day",
        "One merge() exercise a day on the tickets and plans tables",
        "Cutover on Tuesday: expect the queue to double and evenings to vanish.",
        "Is there anything useful to learn from the migration itself?",
        {
            "skills.progress": "Very little. Accepting it and restarting on Monday with a smaller plan.",
            "change.verdict": "Nothing new tried; it was a survival week.",
            "feedback.heard": "Jon noticed the summary stopped. Fair.",
        },
    ),
    WeekStory(
        "Back on track by planning less. Did most of what I planned for the first time in two weeks.",
        0.6, 0.5, 1, "charts", "Charts that answer one question",
        "Redraw three of the team's charts so each answers one named question",
        "Month-end SLA numbers fall due while I'm still catching up on the migration backlog.",
        "What makes a chart convincing to a manager in ten seconds?",
        {
            "skills.progress": "Jon read the new volume chart without asking what it meant.",
            "change.verdict": "The automation rules save about 20 minutes a day. Keep.",
            "initiative.outcome": "The 48-hour alert caught four forgotten tickets on its first day.",
            "relationships.learned": "Kofi wants speakers who show real, messy work; offered me a January slot.",
            "feedback.heard": "Priya: every chart needs a 'so what' line.",
        },
    ),
    WeekStory(
        "First dashboard other people use: the support team opened it 31 times this week.",
        0.75, 0.15, 0, "dashboards", "Dashboard design in Metabase",
        "Build one dashboard the team would miss if it vanished, then cut everything they don't look at",
        "The Metabase trial runs out on Friday.",
        "How do BI teams decide what goes on a dashboard and what stays out?",
        {
            "skills.progress": "Built, filtered and sped up a real dashboard; know why linked filters break.",
            "change.verdict": "DuckDB on CSVs stays: answers in seconds without an import.",
            "initiative.outcome": "Sofia asked for a renewals version of the dashboard.",
            "relationships.learned": "Sofia sees support data as an early warning for renewals.",
            "feedback.heard": "Anna: put the number people act on top-left.",
            "feedback.changed": "Moved the backlog-age number top-left; told Anna.",
        },
    ),
    WeekStory(
        "Statistics week. Checked whether the new reply macro really cut handling time: it did, by less "
        "than we claimed.",
        0.85, 0.1, 1, "stats", "Enough statistics to not fool myself",
        "Put a confidence interval on two numbers the team quotes every week",
        "Two days off next week: handover notes and the SLA numbers before I go.",
        "How do analysts tell a real change from noise with small samples?",
        {
            "skills.progress": "Can explain a confidence interval to Jon in two sentences, with our data.",
            "change.verdict": "Notebook template with fixed headings: keep, it makes me write the limits.",
            "initiative.outcome": "The macro analysis went to the team meeting; we now quote 6%, not 20%.",
            "relationships.learned": "Raj and I learn faster studying together than alone.",
            "feedback.heard": "Maria: my SQL now reads like hers. Priya wants to see a full analysis.",
        },
    ),
    WeekStory(
        "Portfolio project started: which ticket patterns come before a customer cancels? Priya agreed to "
        "look at it next week.",
        0.9, 0.1, 0, "portfolio", "Carrying an analysis from question to finding",
        "Get from raw tickets and cancellations to three charts that answer the question",
        "The cancellations export needs a data-team account: ask Maria on Monday, not Thursday.",
        "What makes an analysis convincing to someone who hires analysts?",
        {
            "skills.progress": "The join works and the first finding holds up: reopened tickets come first.",
            "change.verdict": "Version-controlled notebooks saved me when a cell overwrote the raw data.",
            "initiative.outcome": "Jon put my data work on the team's Q1 plan as one day a week.",
            "relationships.learned": "Maria thinks the churn question is one the data team wanted to ask anyway.",
            "feedback.heard": "Raj got stuck in the first cell: hard-coded paths.",
            "feedback.changed": "Moved the paths into one config cell; Raj ran it end to end.",
        },
    ),
)

CURRENT_STORY = WeekStory(
    "Showing the churn analysis to Priya on Friday. Everything this week points at that.",
    0.85, 0.1, 0, "portfolio", "Presenting an analysis: the story, not the steps",
    "Rehearse the 10-minute walkthrough twice, timed, and cut what doesn't serve the question",
    "Friday's slot with Priya may move if the analytics sprint overruns: confirm on Wednesday.",
    "How do experienced analysts present findings to a hiring manager?",
)

STORY_ARC: tuple[WeekStory, ...] = (*PAST_STORIES, CURRENT_STORY)

# One-line intentions per practice; filled from what was planned that week.
INTENTIONS: Mapping[str, str] = {
    "skills": "{skill_minutes} minutes of deliberate practice; focus: {skill_focus}",
    "change": "Try {change_count}: {first_change}",
    "initiative": "Start {self_started_count} nobody asked for",
    "relationships": "Spend real time with {relationship_people}",
    "proactive": "{deadlines}",
    "feedback": "{feedback_plan}, and show the person what I changed",
    "learning": "{learning_count}, with the takeaway written down",
}


# --- repeating tasks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A repeating task Sam sets up in the week of the story arc at `stage` (the first week played, when
    the demo starts later), with its first occurrence on the rule's first day that week. Each occurrence
    is done on its day at `at` (hour, minute), the next one made as the app makes it. In a slump week an
    occurrence moves `slump_shift` days later (into the next week if need be) and is done there; 0 keeps
    it. `outcomes` holds what an occurrence changed, by the stage of the week it was planned in."""

    title: str
    rule: str
    practice: str
    estimate: int
    tags: tuple[str, ...] = ()
    stage: int = 0
    at: tuple[int, int] = (9, 0)
    slump_shift: int = 0
    outcomes: Mapping[int, str] = field(default_factory=dict)


SERIES: tuple[Series, ...] = (
    # Rules with an `on` day: the first occurrence goes on that day of the week the series starts.
    Series(
        "Saturday study hour: one course module, takeaway written down", "every week on sat", "learning", 60,
        stage=1, at=(9, 30), slump_shift=2,
        outcomes={
            1: "Pivot tables can show each row as a share of the column total: no more calculator.",
            2: "SQLBolt lessons 1 to 5: SELECT, WHERE, ORDER BY, LIMIT. Easier than I feared.",
            4: "COUNT(column) skips NULLs and COUNT(*) does not: that was my missing-agent puzzle.",
            5: "A CTE gives the same result as a subquery but reads top to bottom.",
            6: "LAG() puts last week's number next to this week's: no more self-join.",
            7: "Enough Python to read a notebook: lists, dicts, f-strings and loops.",
            8: "Caught up on Monday: the pandas chapter on missing data. Count the gaps before filling them.",
            9: "Bars start at zero; lines don't have to.",
            11: "Sampling: 80 survey answers say much less than I assumed.",
            12: "Every churn write-up I read says how many customers each finding rests on. Mine will too.",
        },
    ),
    Series(
        "1:1 with @maria", "every 2 weeks on tue", "relationships", 30, ("@maria",),
        stage=4, at=(12, 30), slump_shift=2,
        outcomes={
            4: "Agreed: real questions from the support queue, not course exercises. She sends me one a fortnight.",
            6: "Went through my window-function queries together; she would name the CTEs differently.",
            8: "Moved to Thursday because of the migration. Short, but she lent me the data team's cleaning "
            "checklist.",
            10: "Showed her the backlog dashboard; she wants the data team to use it too.",
            12: "The churn question is one the data team wanted to ask anyway: she thinks Priya should see it.",
        },
    ),
    Series(
        "Ask one person for feedback on this week's work", "every week on fri", "feedback", 15, ("ask-feedback",),
        stage=6, at=(16, 0), slump_shift=3,
        outcomes={
            6: "Maria: name CTEs after what they contain, not step1.",
            7: "Tom: the summary is useful, but he wants it on Monday morning, not Friday.",
            8: "Asked on Monday, after the migration week. Jon: he noticed the summary stopped. Fair.",
            9: "Priya: every chart needs a 'so what' line.",
            10: "Anna: put the number people act on top-left.",
            12: "Raj ran the churn notebook cold and got stuck in the first cell: hard-coded paths.",
        },
    ),
)

# A week below this momentum is a slump: Sunday planning answers only the essentials, and repeating
# tasks slip.
SLUMP_MOMENTUM = 0.5

# --- the builder -----------------------------------------------------------------------------------


def build_demo_plan(
    root: Path, today: date, *, seed: int = 7, weeks: int = DEMO_WEEKS, timezone: str = "Europe/London"
) -> None:
    """Create a new plan folder at `root` with `weeks` past weeks of history plus the current week.

    Raises StoreError when `root` already holds a plan, ValueError for a negative `weeks` or an
    unknown time zone. The same `seed`, `today`, `weeks` and `timezone` give byte-identical files.
    """
    if weeks < 0:
        raise ValueError(f"weeks cannot be negative ({weeks})")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    board = Board(title=BOARD_TITLE, timezone=timezone)
    store = PlanStore(root)
    store.create(board)
    history = _History(board, zone, today, seed)
    current = week_of(today, board.week_start)
    stories = _stories_for(weeks) + [CURRENT_STORY]
    for offset, (story, next_story) in enumerate(zip(stories, stories[1:])):
        history.play_past_week(shift_week(current, offset - weeks, board.week_start), story, next_story)
    history.play_current_week(current, CURRENT_STORY)
    for task in history.ranked_tasks():
        store.add_task(task)
    for plan in history.week_plans:
        store.update_week(plan.week, lambda _on_disk, plan=plan: plan)
    # The store's lock file is local machinery (git-ignored), not plan data: leave no trace of it.
    (Path(root) / LOCK_FILE).unlink(missing_ok=True)


def _stories_for(weeks: int) -> list[WeekStory]:
    if weeks <= len(PAST_STORIES):
        return list(PAST_STORIES[len(PAST_STORIES) - weeks:])
    return [PAST_STORIES[0]] * (weeks - len(PAST_STORIES)) + list(PAST_STORIES)


MIN_ROUND_SHARE = 4  # a round of fresh ideas and routines needs at least a quarter of the pool


class _Deck:
    """Ideas drawn in a shuffled order, no repeats until every idea that fits the stage is used. The
    next round holds the ideas not drawn yet and the routines (`Idea.again`), so a one-off (a first
    coffee, a course's week one) does not happen twice; when those are too few to vary (a round of one
    routine would draw it week after week) or none fits the stage, every idea comes round again, so a
    long history never runs dry."""

    def __init__(self, ideas: Sequence[Idea], rng: random.Random) -> None:
        self._ideas = tuple(ideas)
        self._rng = rng
        self._left: list[Idea] = []
        self._drawn: set[str] = set()

    def draw(self, stage: int) -> Idea:
        fresh = [idea for idea in self._ideas if idea.again or idea.title not in self._drawn]
        rounds = (fresh if len(fresh) * MIN_ROUND_SHARE >= len(self._ideas) else list(self._ideas),
                  list(self._ideas))
        for refill in (*rounds, None):
            for index in range(len(self._left) - 1, -1, -1):
                if self._left[index].fits(stage):
                    idea = self._left.pop(index)
                    self._drawn.add(idea.title)
                    return idea
            if refill is not None:
                self._left = refill
                self._rng.shuffle(self._left)
        raise ValueError(f"no idea fits stage {stage}")


@dataclass
class _Planned:
    task: Task
    idea: Idea


class _History:
    """Plays the weeks in order, keeping every task as it ends up and every week file."""

    def __init__(self, board: Board, zone: ZoneInfo, today: date, seed: int) -> None:
        self.board = board
        self.zone = zone
        self.today = today
        self.tasks: dict[str, Task] = {}
        self.week_plans: list[WeekPlan] = []
        self.carried: list[_Planned] = []  # unfinished tasks moving on to the next week
        self.rng = random.Random(seed)
        # Ids get their own stream so they do not shift whenever the story draws one more number.
        self.id_rng = random.Random(f"value-planner-demo-ids:{seed}")
        self.skill_decks = {topic: _Deck(ideas, self.rng) for topic, ideas in SKILL_IDEAS.items()}
        self.decks = {practice: _Deck(ideas, self.rng) for practice, ideas in PRACTICE_IDEAS.items()}
        self.series_open: dict[int, str] = {}  # SERIES index -> id of its open occurrence
        self.series_stage: dict[str, int] = {}  # occurrence id -> stage of the week it was planned in
        self.moved: set[str] = set()  # occurrences moved in a slump, done where they were moved to

    # --- small helpers ---------------------------------------------------------------------------

    def at(self, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def task_id(self) -> str:
        """The app's id format (planner.ids), drawn from a seeded generator."""
        return new_task_id(self.tasks, self.id_rng.getrandbits)

    def draw(self, practice: str, story: WeekStory) -> Idea:
        stage = STORY_ARC.index(story)
        if practice == "skills":
            return self.skill_decks[story.skill_topic].draw(stage)
        return self.decks[practice].draw(stage)

    def save(self, task: Task) -> Task:
        self.tasks[task.id] = task
        return task

    # --- planning --------------------------------------------------------------------------------

    def plan_week(self, label: str, story: WeekStory, last_ad_hoc_day: date) -> tuple[list[_Planned], list[Task]]:
        """Sunday-evening planning: the repeating tasks' occurrences, unfinished tasks carried over, then
        new ones from the pools. Returns the new and carried tasks, and the occurrences."""
        days = week_days(label, self.board.week_start)
        planning = self.at(days[0] - timedelta(days=1), 19, self.rng.randint(0, 40))
        repeating = self.plan_series(label, story, planning)
        planned: list[_Planned] = []
        for item in self.carried:
            day = self.pick_day(days)
            task = schedule_task(item.task, planning, self.board, week=label, day=day)
            if task.due is not None:  # a missed due date is moved along with the task
                task = edit_task(task, planning, self.board, due=self.due_near(day, days))
            planned.append(_Planned(self.save(task), item.idea))
        self.carried = []
        minute = 0
        for practice in PRACTICES:
            low, high = PLANNED_PER_WEEK[practice]
            for _ in range(self.rng.randint(low, high)):
                idea = self.draw(practice, story)
                day = self.pick_day(days)
                minute += self.rng.randint(1, 3)
                created = planning + timedelta(minutes=minute, seconds=self.rng.randint(0, 59))
                if day is not None and day <= last_ad_hoc_day and self.rng.random() < AD_HOC_SHARE:
                    created = self.at(day, 7, self.rng.randint(0, 25))  # added on the day, before work
                due = self.pick_due(practice, day, days)
                task = new_task(
                    self.task_id(), idea.title, created, self.board,
                    column=self.board.week_column, practice=practice, week=label, day=day, due=due,
                    estimate=idea.estimate, tags=normalise_tags(idea.tags), notes=idea.notes,
                )
                planned.append(_Planned(self.save(task), idea))
        return planned, repeating

    def plan_series(self, label: str, story: WeekStory, planning: datetime) -> list[Task]:
        """Start the series whose week has come (as `planner add --repeat RULE --day DAY` would) and pull
        the open occurrences that fall in this week into the week column, as Sam does with the rest."""
        days = week_days(label, self.board.week_start)
        stage = STORY_ARC.index(story)
        occurrences: list[Task] = []
        for index, series in enumerate(SERIES):
            if index not in self.series_open:
                if stage < series.stage:
                    continue
                rule = parse_repeat(series.rule)
                assert rule is not None and rule.weekdays, f"{series.title}: the first day comes from the rule's day"
                day = next(day for day in days if day.weekday() == rule.weekdays[0])
                task = new_task(
                    self.task_id(), series.title, planning, self.board, column=self.board.week_column,
                    practice=series.practice, week=label, day=day, estimate=series.estimate,
                    tags=normalise_tags(series.tags), repeat=normalise_repeat(series.rule),
                )
                self.series_open[index] = self.save(task).id
            task = self.tasks[self.series_open[index]]
            if task.week != label:  # its day is in a later week
                continue
            if task.column != self.board.week_column:  # made in the backlog when the last one was done
                task = self.save(move_task(task, self.board.week_column, planning, self.board))
            self.series_stage.setdefault(task.id, stage)
            occurrences.append(task)
        return occurrences

    def play_series(self, label: str, story: WeekStory, until: datetime) -> None:
        """Do the open occurrences in the week up to `until` on their day, each with its outcome, and make
        the next one exactly as the app does when an occurrence is done (planner.repeat). In a slump an
        occurrence slips instead: moved on the evening of its day, it is done where it was moved to."""
        for index, series in enumerate(SERIES):
            while index in self.series_open:
                task = self.tasks[self.series_open[index]]
                if task.week != label or task.day is None:
                    break
                if story.momentum < SLUMP_MOMENTUM and series.slump_shift and task.id not in self.moved:
                    moved_at = max(self.at(task.day, 20, self.rng.randint(0, 59)), task.updated + timedelta(minutes=5))
                    if moved_at > until:
                        break
                    self.moved.add(task.id)
                    later = task.day + timedelta(days=series.slump_shift)
                    self.save(schedule_task(task, moved_at, self.board, week=None, day=later))
                    continue
                moment = self.at(task.day, *series.at) + timedelta(minutes=self.rng.randint(0, 20))
                moment = max(moment, task.updated + timedelta(minutes=30))
                if moment > until:
                    break
                done = complete_task(task, moment, self.board)
                outcome = series.outcomes.get(self.series_stage.get(task.id, STORY_ARC.index(story)), "")
                if outcome:
                    done = with_outcome(done, moment, outcome)
                self.save(done)
                upcoming = self.save(next_occurrence(done, self.board, moment, rank=task.rank))
                self.series_open[index] = upcoming.id

    def pick_day(self, days: Sequence[date]) -> date | None:
        """Mostly a weekday, sometimes Saturday, sometimes no day at all (just "this week")."""
        roll = self.rng.random()
        if roll < 0.12:
            return None
        if roll < 0.2:
            return days[5]
        return days[self.rng.randrange(5)]

    def pick_due(self, practice: str, day: date | None, days: Sequence[date]) -> date | None:
        if practice != "proactive" and self.rng.random() >= DUE_SHARE:
            return None
        return self.due_near(day, days)

    def due_near(self, day: date | None, days: Sequence[date]) -> date:
        """A due date on the task's day or up to two days later, by Saturday of its week."""
        start = day or days[self.rng.randrange(5)]
        return min(start + timedelta(days=self.rng.randint(0, 2)), days[5])

    # --- finishing ---------------------------------------------------------------------------------

    def finish(self, item: _Planned, story: WeekStory, latest_day: date, *, today_only_early: bool) -> Task:
        """Mark a task done on a plausible day: its own, or after its due date when it ran late."""
        task = item.task
        days = week_days(task.week or week_of(latest_day, self.board.week_start), self.board.week_start)
        done_day = task.day or days[self.rng.randrange(5)]
        if task.due is not None:
            if self.rng.random() < story.late_share and task.due < latest_day:
                done_day = task.due + timedelta(days=self.rng.randint(1, 2))
            else:
                done_day = min(done_day, task.due)
        done_day = max(min(done_day, latest_day), days[0])
        slots = [slot for slot in DONE_SLOTS if not (today_only_early and done_day == self.today
                                                     and time(*slot) > NOW_TIME)]
        hour, minute = slots[self.rng.randrange(len(slots))]
        moment = self.at(done_day, hour, minute) + timedelta(minutes=self.rng.randint(0, 14))
        moment = max(moment, task.updated + timedelta(minutes=30))
        changes: dict[str, object] = {}
        if task.estimate and self.rng.random() < SPENT_SHARE:
            changes["spent"] = max(5, round(task.estimate * self.rng.uniform(0.6, 1.5) / 5) * 5)
        takeaway_share = 0.5 + 0.45 * story.momentum if task.practice == "learning" else 0.5
        if item.idea.takeaway and self.rng.random() < takeaway_share:
            changes["notes"] = "\n\n".join(part for part in (task.notes, item.idea.takeaway) if part)
            # What Sam wrote down is also what the task changed: the evidence the Impact screen shows.
            changes["outcome"] = item.idea.takeaway
            if item.idea.impact:
                changes["impact"] = frozen_mapping(item.idea.impact)
        if changes:
            task = edit_task(task, moment, self.board, **changes)
        return self.save(complete_task(task, moment, self.board))

    # --- a past week -------------------------------------------------------------------------------

    def play_past_week(self, label: str, story: WeekStory, next_story: WeekStory) -> None:
        days = week_days(label, self.board.week_start)
        planned, repeating = self.plan_week(label, story, last_ad_hoc_day=days[5])
        # Exactly the story's share gets done (at least one), so a slump week reads as one whatever the seed.
        done_count = max(1, round(story.momentum * len(planned)))
        done_ids = {item.task.id for item in self.rng.sample(planned, done_count)}
        unfinished: list[_Planned] = []
        for item in planned:
            if item.task.id in done_ids:
                self.finish(item, story, latest_day=days[5], today_only_early=False)
            else:
                unfinished.append(item)
        review = self.at(days[6], 17, self.rng.randint(0, 59))
        for index, item in enumerate(unfinished):
            if index < story.dropped:
                self.save(delete_task(item.task, review))
            elif self.rng.random() < 0.5:
                self.carried.append(item)
            else:  # not this week, maybe some day: back to the unscheduled backlog
                self.save(edit_task(item.task, review, self.board, column="backlog", week=None, day=None, due=None))
        self.play_series(label, story, until=self.at(days[6], 23, 59))
        self.week_plans.append(self.week_plan(label, story, planned + repeating, review, next_story))

    # --- the current week ---------------------------------------------------------------------------

    def play_current_week(self, label: str, story: WeekStory) -> None:
        """Part done: most of the earlier days' tasks finished, today's in progress, the rest to do."""
        planned, repeating = self.plan_week(label, story, last_ad_hoc_day=self.today)
        by_day = sorted(planned, key=lambda item: (item.task.day or date.max, item.task.created))
        # Tasks with no day are as likely to be behind Sam as the part of the week already gone.
        elapsed = (self.today - week_days(label, self.board.week_start)[0]).days / 7
        earlier = [item for item in by_day if (item.task.day < self.today if item.task.day is not None
                                               else self.rng.random() < elapsed)]
        on_today = [item for item in by_day if item.task.day == self.today]
        done_ids = {item.task.id for item in self.rng.sample(earlier, round(story.momentum * len(earlier)))}
        # The first task of the day may be done already, unless it is the only one: today always shows
        # work in progress. (The draw comes first so the random stream does not depend on the count.)
        if self.rng.random() < 0.5 and len(on_today) > 1:
            done_ids.add(on_today[0].task.id)
        for item in earlier + on_today:
            if item.task.id in done_ids:
                self.finish(item, story, latest_day=self.today, today_only_early=True)
        # Today's work is in progress first, then what slipped from earlier days; if nothing is due
        # yet, the next task was started early, so the board always shows work in progress.
        unfinished = [item for item in on_today + earlier if item.task.id not in done_ids]
        ahead = [item for item in by_day if item not in earlier and item not in on_today]
        for item in (unfinished or ahead)[:DOING_NOW]:
            day = min(item.task.day or self.today, self.today)
            started = max(self.at(day, 9, self.rng.randint(0, 50)), item.task.updated + timedelta(minutes=5))
            self.save(move_task(self.tasks[item.task.id], "doing", started, self.board))
        self.play_series(label, story, until=datetime.combine(self.today, NOW_TIME, tzinfo=self.zone))
        self.add_backlog_ideas(story)
        self.week_plans.append(self.week_plan(label, story, planned + repeating, None, None))

    def add_backlog_ideas(self, story: WeekStory) -> None:
        this_week = week_days(week_of(self.today, self.board.week_start), self.board.week_start)
        days_so_far = [day for day in this_week if day <= self.today]
        for _ in range(BACKLOG_IDEAS_NOW):
            practice = PRACTICES[self.rng.randrange(len(PRACTICES))]
            idea = self.draw(practice, story)
            created = self.at(days_so_far[self.rng.randrange(len(days_so_far))], 12, self.rng.randint(0, 59))
            task = new_task(self.task_id(), idea.title, created, self.board, column="backlog",
                            practice=practice, estimate=idea.estimate, tags=normalise_tags(idea.tags))
            self.save(task)

    # --- the week file -----------------------------------------------------------------------------

    def week_plan(self, label: str, story: WeekStory, planned: Sequence[_Planned | Task],
                  reviewed_at: datetime | None, next_story: WeekStory | None) -> WeekPlan:
        # As planned, before the week happened.
        tasks = [item.task if isinstance(item, _Planned) else item for item in planned]
        final = [self.tasks[task.id] for task in tasks]
        values = _plan_values(story, tasks)
        intentions = {practice: template.format(**values) for practice, template in INTENTIONS.items()}
        plan_answers = _plan_answers(story, tasks, values)
        review_answers: dict[str, str] = {}
        if reviewed_at is not None and next_story is not None:
            review_answers = {**story.review, **_computed_review(story, final, next_story)}
        return WeekPlan(
            week=label,
            intentions=frozen_mapping(intentions),
            plan_answers=frozen_mapping(plan_answers),
            review_answers=frozen_mapping(dict(sorted(review_answers.items()))),
            notes=story.headline,
            reviewed_at=reviewed_at,
        )

    # --- ranks ------------------------------------------------------------------------------------

    def ranked_tasks(self) -> list[Task]:
        """Every task with an evenly spaced rank in its column (done: in order of completion), so ranks
        stay two characters long instead of growing with each card appended at the end."""
        ranked: list[Task] = []
        for column in self.board.columns:
            members = [task for task in self.tasks.values() if task.column == column.id]
            members.sort(key=lambda task: (task.done_at or datetime.max.replace(tzinfo=self.zone),
                                           task.day or date.max, task.created, task.id))
            ranked.extend(replace(task, rank=rank) for task, rank in zip(members, _spread_ranks(len(members))))
        return sorted(ranked, key=lambda task: task.id)


def _spread_ranks(count: int) -> list[str]:
    width = 1
    while len(RANK_DIGITS) ** width <= count * 4:
        width += 1
    step = len(RANK_DIGITS) ** width // (count + 1)
    ranks = []
    for position in range(1, count + 1):
        number, digits = position * step, []
        for _ in range(width):
            number, digit = divmod(number, len(RANK_DIGITS))
            digits.append(RANK_DIGITS[digit])
        # A trailing "0" would leave no room below the rank; dropping it keeps the order.
        ranks.append("".join(reversed(digits)).rstrip("0"))
    return ranks


# --- what Sam wrote in the week file -------------------------------------------------------------------


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _deadlines(number: int) -> str:
    """The proactive intention for a week with `number` due dates, as a person would write it."""
    if number == 0:
        return "No deadlines this week: get ahead on next week's"
    if number == 1:
        return "Meet this week's deadline, nothing last-minute"
    return f"Meet {'both' if number == 2 else f'all {number}'} deadlines, nothing last-minute"


def _join(words: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _names(people: Sequence[str]) -> str:
    return _join([f"@{person}" for person in people]) or "someone new"


def _people_of(tasks: Sequence[Task]) -> list[str]:
    return list(dict.fromkeys(person for task in tasks for person in task.people))


# Not strftime("%b"): that follows the process locale, and the demo must not.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_name(day: date) -> str:
    return WEEKDAYS[day.weekday()][:3].capitalize()


def _dated(day: date) -> str:
    """`Sat 14 Nov`: the weekday alone is ambiguous once a task moved on from an earlier week."""
    return f"{_day_name(day)} {day.day} {MONTHS[day.month - 1]}"


def _inline(text: str) -> str:
    """Text that starts a sentence, made to continue one (`Charts that` -> `charts that`, `SQL` stays)."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _plan_values(story: WeekStory, tasks: Sequence[Task]) -> dict[str, str]:
    by_practice = {practice: [task for task in tasks if task.practice == practice] for practice in PRACTICES}
    changes = by_practice["change"]
    ask_people = _people_of([task for task in tasks if "ask-feedback" in task.tags])
    return {
        "skill_focus": story.skill_focus,
        "skill_minutes": str(sum(task.estimate or 0 for task in by_practice["skills"])),
        "change_count": _count(len(changes), "new way of working", "new ways of working"),
        "first_change": changes[0].title if changes else "one small experiment",
        "self_started_count": _count(sum("self-started" in task.tags for task in tasks), "thing", "things"),
        "relationship_people": _names(_people_of(by_practice["relationships"])),
        "deadlines": _deadlines(sum(task.due is not None for task in tasks)),
        "ask_people": _join([f"@{person}" for person in ask_people]),
        "feedback_plan": (f"Ask {_names(ask_people)} for feedback" if ask_people
                          else "Act on the feedback I already have"),
        "learning_count": _count(len(by_practice["learning"]), "learning session", "learning sessions"),
    }


def _plan_answers(story: WeekStory, tasks: Sequence[Task], values: Mapping[str, str]) -> dict[str, str]:
    skills_days = sorted({task.day for task in tasks if task.practice == "skills" and task.day})
    people = _people_of(tasks)
    deadlines = sorted((task for task in tasks if task.due), key=lambda task: (task.due, task.title))
    self_started = [task for task in tasks if "self-started" in task.tags]
    learning = [task for task in tasks if task.practice == "learning"]
    answers = {
        "skills.focus": story.skill_focus,
        "skills.drill": story.skill_drill,
        "skills.calendar": (
            f"{_join([_day_name(day) for day in skills_days])}, first thing in the morning: "
            f"{values['skill_minutes']} minutes booked." if skills_days else ""),
        "change.experiment": values["first_change"],
        "initiative.opportunity": self_started[0].title if self_started else "",
        "relationships.who": "; ".join(f"@{person} ({PEOPLE.get(person, 'a colleague')})" for person in people),
        "proactive.risk": story.risk,
        "proactive.deadlines": "; ".join(f"{task.title} (due {_dated(task.due)})"  # type: ignore[arg-type]
                                         for task in deadlines[:3]),
        "feedback.ask-whom": values["ask_people"],
        "learning.question": story.learning_question,
        "learning.source": "; ".join(task.title for task in learning),
    }
    # A slump shows already at Sunday planning: only the essentials get an answer.
    essentials = ("skills.focus", "proactive.risk", "learning.question", "change.experiment")
    if story.momentum < SLUMP_MOMENTUM:
        answers = {key: answers[key] for key in essentials}
    return {key: text for key, text in answers.items() if text}


def _computed_review(story: WeekStory, tasks: Sequence[Task], next_story: WeekStory) -> dict[str, str]:
    """Review answers that follow from what actually happened to the week's tasks."""
    late = [task for task in tasks if task.done_on_time() is False]
    missed = [task for task in tasks if task.due and not task.is_done]
    if late or missed:
        parts = [f"{task.title}: done {_dated(task.done_at.date())}, "  # type: ignore[union-attr]
                 f"due {_dated(task.due)}" for task in late]  # type: ignore[arg-type]
        parts += [f"{task.title}: not done" for task in missed]
        shown = 3  # a review answer is read at a glance
        slipped = "; ".join(parts[:shown]) + (f"; and {len(parts) - shown} more" if len(parts) > shown else "")
    else:
        with_due = sum(task.due is not None for task in tasks)
        slipped = f"Nothing slipped: {_count(with_due, 'task', 'tasks')} with a due date, all on time."
    takeaways = [task.notes.split("\n\n")[-1] for task in tasks
                 if task.practice == "learning" and task.is_done and task.notes]
    same_topic = next_story.skill_topic == story.skill_topic
    answers = {
        "proactive.slipped": slipped,
        "skills.next-focus": (f"Keep going: {_inline(story.skill_focus)} is not done yet." if same_topic
                              else f"Switch to {_inline(next_story.skill_focus)}."),
    }
    if takeaways:
        answers["learning.takeaway"] = takeaways[0]
    return answers


# --- command line -------------------------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use 2026-11-26)") from None


def _fail(message: str) -> int:
    print(f"planner.demo: error: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m planner.demo",
        description="Write a demo plan folder: a quarter (13 weeks) of a support analyst's move toward data "
                    "analysis, and the current week.",
    )
    parser.add_argument("folder", metavar="DIR", type=Path, help="folder for the new plan (must not hold one)")
    parser.add_argument("--today", type=_iso_date, default=None,
                        help="the demo's today, YYYY-MM-DD (default: today in the plan's time zone)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--weeks", type=int, default=DEMO_WEEKS,
                        help=f"past weeks of history (default {DEMO_WEEKS}: a quarter)")
    parser.add_argument("--timezone", default="Europe/London", help="the plan's time zone")
    args = parser.parse_args(argv)
    if PlanStore(args.folder).exists():
        return _fail(f"{args.folder} already holds a plan (board.toml exists)")
    try:
        zone = ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return _fail(f"unknown time zone {args.timezone!r} (use a name such as Europe/London)")
    today = args.today or datetime.now(zone).date()
    try:
        build_demo_plan(args.folder, today, seed=args.seed, weeks=args.weeks, timezone=args.timezone)
    except (StoreError, ValueError, OSError) as error:
        return _fail(str(error))
    print(f"Wrote a demo plan to {args.folder} (today {today}, seed {args.seed}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
