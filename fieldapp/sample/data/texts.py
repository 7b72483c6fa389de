"""What contacts and visits say: interests, needs, offers, tags, notes at the door and after a talk."""

INTERESTS = (
    "szachy",
    "rower",
    "ogródki",
    "gotowanie",
    "historia kamienicy",
    "szydełkowanie",
    "piłka nożna",
    "fotografia",
    "śpiew",
    "majsterkowanie",
    "czytanie",
    "taniec",
)
NEEDS = (
    "ławki na podwórku",
    "świetlica dla młodzieży",
    "zajęcia dla seniorów",
    "oświetlenie bramy",
    "pomoc przy zakupach",
    "plac zabaw",
    "zieleń na podwórku",
    "miejsce spotkań",
    "kurs komputerowy",
    "pomoc w lekcjach",
)
OFFERS = (
    "upiecze ciasto na festyn",
    "pomoże przy sprzątaniu",
    "poprowadzi warsztaty szycia",
    "użyczy stołów",
    "zna historię dzielnicy",
    "naprawi rowery dzieciom",
    "zagra na akordeonie",
    "posadzi kwiaty",
    "użyczy sali",
)
TAGS = (
    "senior",
    "rodzina z dziećmi",
    "młodzież",
    "aktywny",
    "wolontariusz",
    "kamienica komunalna",
    "rada kamienicy",
    "nowy mieszkaniec",
)
DOOR_NOTES = (
    "Domofon nie działa",
    "Brama zamknięta, wejście od podwórza",
    "Kartka z numerami mieszkań przy drzwiach",
    "Klatka w remoncie",
    "",
)
TALK_NOTES = (
    "Chętna do pomocy przy festynie",
    "Pyta o zajęcia dla wnuków",
    "Narzeka na brak ławek",
    "Zainteresowany radą kamienicy",
    "Zaprosić na spotkanie w bibliotece",
    "Ma pomysł na ogródek",
)
NEXT_STEPS = (
    "Przynieść ulotkę",
    "Zaprosić na spotkanie",
    "Zadzwonić po 17",
    "Wrócić w sobotę",
    "Przekazać kontakt do MOPS",
    "Zostawić plakat na klatce",
)
#: Who recorded a consent.
RECORDERS = ("Ola Animatorka", "Kuba Animator", "Pani Bibliotekarka")
