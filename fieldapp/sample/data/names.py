"""Names of the UI tests' fast path (``tests/e2e/sample.py``): keep these lists stable.

Many carry Polish letters on purpose (search must find "Łucja" by "lucja"). The sample's own
people get their names from Faker's pl_PL locale (``fieldapp.sample.people``).
"""

FIRST = [
    "Anna",
    "Bożena",
    "Grażyna",
    "Łucja",
    "Małgorzata",
    "Zofia",
    "Jan",
    "Łukasz",
    "Paweł",
    "Zbigniew",
    "Wojciech",
    "Krzysztof",
    "Agnieszka",
    "Ewa",
    "Żaneta",
    "Jerzy",
    "Mirosław",
    "Halina",
    "Danuta",
    "Ścibor",
]
LAST = [
    "Kowalska",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamińska",
    "Lewandowski",
    "Zieliński",
    "Szymańska",
    "Woźniak",
    "Dąbrowski",
    "Kozłowska",
    "Jankowski",
    "Mazur",
    "Krawczyk",
    "Piątek",
    "Grabowska",
    "Pawłowski",
    "Michalska",
    "Król",
    "Żółkiewska",
]
