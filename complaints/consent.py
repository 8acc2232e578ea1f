"""The starting advisory and consent text, version 2026-1, in English and Spanish.

Seeded by a migration; jurisdictions publish their own versions in the admin.
"""

TEXTS = {
    "en": {
        "title": "Before you send your complaint",
        "body": (
            "We are a civilian office, separate from the police department. We review every complaint we "
            "receive.\n\n"
            "What you tell us will be used to look into your complaint. Investigators may share the facts of your "
            "complaint with the police department and the officers involved so they can respond. If you chose to "
            "keep your identity confidential, we will not give your name to the officers.\n\n"
            "Please tell the truth as you remember it. Knowingly making a false report to a public agency may be "
            "against the law.\n\n"
            "Filing a complaint does not start a lawsuit and does not change any criminal case. If you have a court "
            "case, you may want to talk to a lawyer. Deadlines for other legal claims keep running while we "
            "investigate.\n\n"
            "We never publish your name, your contact details, or anything that identifies you. When a case is "
            "decided, we publish a summary without names."
        ),
        "agreement": "I have read this, and what I am reporting is true to the best of my knowledge.",
    },
    "es": {
        "title": "Antes de enviar su queja",
        "body": (
            "Somos una oficina civil, separada del departamento de policía. Revisamos cada queja que recibimos.\n\n"
            "Lo que nos cuente se usará para investigar su queja. Los investigadores pueden compartir los hechos de "
            "su queja con el departamento de policía y con los agentes involucrados para que respondan. Si eligió "
            "mantener su identidad confidencial, no daremos su nombre a los agentes.\n\n"
            "Por favor, diga la verdad tal como la recuerda. Hacer a sabiendas una denuncia falsa ante una agencia "
            "pública puede ser un delito.\n\n"
            "Presentar una queja no inicia una demanda y no cambia ningún caso penal. Si tiene un caso en la corte, "
            "le conviene hablar con un abogado. Los plazos para otras acciones legales siguen corriendo mientras "
            "investigamos.\n\n"
            "Nunca publicamos su nombre, sus datos de contacto ni nada que lo identifique. Cuando se decide un caso, "
            "publicamos un resumen sin nombres."
        ),
        "agreement": "Leí esto, y lo que denuncio es verdad según mi mejor conocimiento.",
    },
}


def seed_consent(consent_model) -> int:
    """Create the starting texts if there are none; never touches existing ones."""
    if consent_model.objects.exists():
        return 0
    for language, text in TEXTS.items():
        consent_model.objects.create(version="2026-1", language=language, is_active=True, **text)
    return len(TEXTS)
