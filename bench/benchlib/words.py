"""Word lists for the synthetic news corpus: enough variety that Markdown, slugs and tag pages do
real work, written for this benchmark (no text is taken from elsewhere)."""

PLACES = """
Lagos Lima Oslo Quito Accra Dhaka Hanoi Kyiv Riga Tunis Perth Porto Delhi Cairo Dakar Nairobi
Manila Jakarta Bogota Santiago Montreal Glasgow Leeds Lyon Bilbao Turin Gdansk Tartu Bergen Osaka
Busan Karachi Lahore Quetta Mombasa Harare Lusaka Windhoek Recife Belem Cusco Valparaiso Halifax
Denver Tucson Memphis Cardiff Galway Aarhus Malmo Tampere Vilnius Minsk Tbilisi Yerevan Baku Almaty
""".split()

SUBJECTS = """
council ministry regulator court union parliament mayor committee agency senate cabinet board
police hospital university airport railway port utility coalition opposition court watchdog
farmers teachers nurses drivers engineers scientists investors voters residents students
""".split()

VERBS = """
approves rejects delays unveils expands cuts extends reviews probes halts backs questions
announces debates revises suspends restores funds blocks launches defends challenges weighs
""".split()

OBJECTS = """
budget plan tariff reform merger contract strike inquiry deal proposal ban levy subsidy
pipeline bridge curriculum election ceasefire treaty rollout survey audit appeal lease
""".split()

QUALIFIERS = [
    "amid protests", "after long talks", "despite warnings", "for a second year",
    "before winter", "ahead of the vote", "under pressure", "in a close vote", "after an audit",
    "as costs rise", "following floods", "in the early hours", "after a decade", "at last",
    "on appeal", "over safety fears", "with new limits", "behind closed doors",
]

TOPICS = """
economy energy climate health education transport housing elections courts policing technology
science space farming fisheries trade labour tourism culture music film books sport football
cricket rugby tennis cycling athletics weather floods drought wildfires earthquakes migration
diplomacy defence security cyber privacy media banking markets inflation currency tax budget
pensions welfare water forests oceans wildlife pollution recycling mining oil gas solar wind
nuclear railways aviation shipping roads bridges ports cities villages islands mountains deserts
rivers museums heritage religion festivals fashion food restaurants startups retail jobs unions
strikes protests parliament senate cabinet ministers mayors councils judges prisons refugees
children elderly universities schools research vaccines hospitals nursing mental-health
""".split()

REGIONS = """
africa europe asia americas oceania middle-east balkans baltics caucasus sahel andes arctic
pacific caribbean scandinavia iberia alps himalaya mekong danube
""".split()

VOCAB = """
the a an of in on for with from by at about after before during under over between among through
report official statement plan city region country government minister agency office district
said says added noted warned argued told confirmed expected announced reported estimated
new old local national regional public private early late major minor final first second
year month week day morning evening night season quarter decade time period moment
people residents workers families children voters officials experts analysts critics leaders
market price cost rate share growth decline increase rise fall change level figure number
water power road rail bridge school hospital court park river coast border field farm
policy law rule bill vote debate review inquiry hearing decision ruling appeal case charge
meeting talks agreement deal contract fund grant loan budget tax fee wage salary pension
project programme scheme service system network sector industry company firm bank group
record data survey study research result evidence sign trend pattern risk threat concern
plans measures steps efforts calls demands needs hopes fears questions answers details
quickly slowly sharply steadily largely partly mostly nearly roughly only still already
strong weak high low large small long short wide broad narrow clear open closed full
will would could should might must may can cannot
and but or yet so because while although since unless until whether
more most less least many much few several some every each other another such
increase reduce expand limit protect support oppose delay extend replace improve restore
build open close move cut raise lower hold keep lose win meet face reach join leave
""".split()

SURNAMES = """
Okafor Silva Hansen Nguyen Kowalski Haddad Mensah Ortiz Lindqvist Tanaka Rahman Dubois Rossi
Petrov Moreau Novak Kim Ahmed Jensen Costa Murphy Schmidt Aziz Varga Popescu Ibrahim
""".split()
