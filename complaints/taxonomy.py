"""The starting misconduct taxonomy: the FADO classes plus the other classes oversight bodies use.

Seeded once by a data migration; after that it is data that agencies edit in the admin. Each entry
is (code, English name, Spanish name, sub-categories).
"""

SEED: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "force",
        "Force",
        "Uso de la fuerza",
        [
            ("force-physical", "Physical force", "Fuerza física"),
            (
                "force-weapon",
                "Use of a weapon (gun, baton, taser, spray)",
                "Uso de un arma (pistola, porra, táser, gas)",
            ),
            (
                "force-restraint",
                "Chokehold or dangerous restraint",
                "Estrangulamiento o sujeción peligrosa",
            ),
            ("force-vehicle", "Force with a vehicle", "Fuerza con un vehículo"),
            ("force-k9", "Police dog", "Perro policía"),
            ("force-other", "Other force", "Otro uso de la fuerza"),
        ],
    ),
    (
        "abuse-of-authority",
        "Abuse of authority",
        "Abuso de autoridad",
        [
            ("aoa-stop", "Stop without reason", "Detención sin motivo"),
            (
                "aoa-search",
                "Search of a person, vehicle or home",
                "Registro de una persona, vehículo o casa",
            ),
            ("aoa-arrest", "Arrest or summons without reason", "Arresto o citación sin motivo"),
            ("aoa-property", "Property seized or damaged", "Bienes confiscados o dañados"),
            ("aoa-threat", "Threat of arrest or force", "Amenaza de arresto o de fuerza"),
            (
                "aoa-refusal-id",
                "Refused to give name or badge number",
                "Se negó a dar su nombre o número de placa",
            ),
            ("aoa-recording", "Interfered with recording", "Impidió grabar"),
            ("aoa-other", "Other abuse of authority", "Otro abuso de autoridad"),
        ],
    ),
    (
        "discourtesy",
        "Discourtesy",
        "Descortesía",
        [
            ("disc-words", "Rude or insulting words", "Palabras groseras o insultantes"),
            ("disc-gesture", "Rude gesture or action", "Gesto o acción grosera"),
            ("disc-other", "Other discourtesy", "Otra descortesía"),
        ],
    ),
    (
        "offensive-language",
        "Offensive language",
        "Lenguaje ofensivo",
        [
            ("ol-race", "About race or ethnicity", "Sobre la raza o el origen étnico"),
            (
                "ol-gender",
                "About gender or gender identity",
                "Sobre el género o la identidad de género",
            ),
            ("ol-sexual-orientation", "About sexual orientation", "Sobre la orientación sexual"),
            ("ol-religion", "About religion", "Sobre la religión"),
            ("ol-disability", "About disability", "Sobre la discapacidad"),
            ("ol-other", "Other offensive language", "Otro lenguaje ofensivo"),
        ],
    ),
    (
        "bias",
        "Bias-based policing",
        "Actuación policial por prejuicio",
        [
            ("bias-profiling", "Racial or ethnic profiling", "Perfil racial o étnico"),
            ("bias-immigration", "Immigration status", "Situación migratoria"),
            ("bias-other", "Other bias", "Otro prejuicio"),
        ],
    ),
    (
        "untruthfulness",
        "Untruthfulness",
        "Falta de veracidad",
        [
            ("untr-report", "False report or statement", "Informe o declaración falsa"),
            ("untr-evidence", "Evidence planted or altered", "Pruebas colocadas o alteradas"),
            ("untr-other", "Other untruthfulness", "Otra falta de veracidad"),
        ],
    ),
    (
        "neglect-of-duty",
        "Neglect of duty",
        "Incumplimiento del deber",
        [
            ("nod-service", "Failed to take a report or help", "No tomó un informe o no ayudó"),
            ("nod-response", "Slow or no response", "Respuesta lenta o ninguna respuesta"),
            ("nod-medical", "Denied medical care", "Negó atención médica"),
            ("nod-other", "Other neglect of duty", "Otro incumplimiento del deber"),
        ],
    ),
    (
        "other-policy",
        "Other policy violation",
        "Otra violación de las normas",
        [
            ("opv-bwc", "Body camera not used", "No usó la cámara corporal"),
            ("opv-conduct", "Conduct unbecoming an officer", "Conducta impropia de un agente"),
            ("opv-retaliation", "Retaliation", "Represalia"),
            ("opv-sexual", "Sexual misconduct", "Conducta sexual indebida"),
            ("opv-other", "Other policy violation", "Otra violación de las normas"),
        ],
    ),
]


def seed_taxonomy(category_model) -> int:
    """Create the starting taxonomy if the table is empty; returns how many categories were made.

    Used by the data migration and after a database flush (tests). It never touches a taxonomy
    that exists: once seeded, categories are the agency's data.
    """
    if category_model.objects.exists():
        return 0
    created = 0
    for order, (code, name, name_es, children) in enumerate(SEED, start=1):
        parent = category_model.objects.create(
            code=code, name=name, translations={"es": name_es}, sort_order=order * 100
        )
        created += 1
        for child_order, (child_code, child_name, child_es) in enumerate(children, start=1):
            category_model.objects.create(
                code=child_code,
                name=child_name,
                parent=parent,
                translations={"es": child_es},
                sort_order=order * 100 + child_order,
            )
            created += 1
    return created


# What residents choose from on the intake form, in their words, and the category each maps to.
# Staff reclassify later; a resident may choose none.
RESIDENT_KINDS: list[tuple[str, str]] = [
    ("force", "force"),
    ("stop", "aoa-stop"),
    ("search", "aoa-search"),
    ("arrest", "aoa-arrest"),
    ("property", "aoa-property"),
    ("threat", "aoa-threat"),
    ("refused_id", "aoa-refusal-id"),
    ("recording", "aoa-recording"),
    ("rude", "discourtesy"),
    ("slurs", "offensive-language"),
    ("bias", "bias"),
    ("lied", "untruthfulness"),
    ("no_help", "neglect-of-duty"),
    ("sexual", "opv-sexual"),
    ("retaliation", "opv-retaliation"),
    ("other", "other-policy"),
]
CATEGORY_FOR_KIND = dict(RESIDENT_KINDS)
